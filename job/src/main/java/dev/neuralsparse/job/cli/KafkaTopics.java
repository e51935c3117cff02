package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.flink.KafkaConnection;
import dev.neuralsparse.job.stack.NewTopics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics for a document stream and its dead letters, and JSON lines into a topic keyed by their id. */
final class KafkaTopics {
    private KafkaTopics() {}

    /** Creates {@code topic} (2 partitions) and {@code topic-dlq}, deleting them first when {@code fresh}. */
    static void createWithDeadLetters(KafkaConnection kafka, String topic, boolean fresh) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            if (fresh && delete(admin, topic)) {
                Thread.sleep(1000); // topic deletion completes asynchronously
            }
            NewTopics.create(admin, List.of(new NewTopic(topic, 2, (short) 1), new NewTopic(topic + "-dlq", 1, (short) 1)));
        }
    }

    /** Deletes {@code topic} and {@code topic-dlq} with their records; topics that do not exist are no error. */
    static void deleteWithDeadLetters(KafkaConnection kafka, String topic) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            delete(admin, topic);
        }
    }

    /** Deletes every topic whose name starts with {@code prefix}; the names deleted. */
    static List<String> deleteStartingWith(KafkaConnection kafka, String prefix) throws Exception {
        try (Admin admin = Admin.create(kafka.clientProperties())) {
            List<String> names = admin.listTopics().names().get().stream()
                    .filter(t -> t.startsWith(prefix)).sorted().toList();
            if (!names.isEmpty()) {
                admin.deleteTopics(names).all().get();
            }
            return names;
        }
    }

    /** Whether the topics existed. */
    private static boolean delete(Admin admin, String topic) throws Exception {
        try {
            admin.deleteTopics(List.of(topic, topic + "-dlq")).all().get();
            return true;
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
            return false;
        }
    }

    /**
     * Sends each non-blank line as one record, as it is (a line that is not JSON is sent too: that
     * is how the dead-letter path is exercised), keyed by {@code idField}, else {@code _id}, when
     * the line is a JSON object that has one.
     *
     * @return the records sent
     */
    static long produce(KafkaConnection kafka, String topic, Stream<String> lines, String idField) {
        ObjectMapper json = new ObjectMapper();
        try (Sender sender = new Sender(kafka)) {
            lines.filter(line -> !line.isBlank()).forEach(line -> sender.send(
                    new ProducerRecord<>(topic, key(json, line, idField), line.getBytes(StandardCharsets.UTF_8))));
            return sender.finish();
        }
    }

    /** Each value under its key (UTF-8 both): documents whose id is the record's key. */
    static long produceKeyed(KafkaConnection kafka, String topic, Stream<Map.Entry<String, String>> keyedValues) {
        try (Sender sender = new Sender(kafka)) {
            keyedValues.forEach(e -> sender.send(new ProducerRecord<>(topic, e.getKey().getBytes(StandardCharsets.UTF_8),
                    e.getValue().getBytes(StandardCharsets.UTF_8))));
            return sender.finish();
        }
    }

    /** A tombstone (the id as key, no value) per id: the job deletes those documents. */
    static long tombstones(KafkaConnection kafka, String topic, List<String> ids) {
        try (Sender sender = new Sender(kafka)) {
            for (String id : ids) {
                sender.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), null));
            }
            return sender.finish();
        }
    }

    /**
     * A producer that stops at the first record Kafka refuses and says why, so that a command never
     * counts a lost record as sent (and never waits out a send timeout per record when the brokers
     * refuse the credentials).
     */
    private static final class Sender implements AutoCloseable {
        private final KafkaConnection kafka;
        private final KafkaProducer<byte[], byte[]> producer;
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private long sent;

        Sender(KafkaConnection kafka) {
            this.kafka = kafka;
            this.producer = producer(kafka);
        }

        void send(ProducerRecord<byte[], byte[]> record) {
            rethrow();
            try {
                producer.send(record, (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            } catch (KafkaException e) {
                throw kafka.explain(e);
            }
            sent++;
        }

        long finish() {
            producer.flush();
            rethrow();
            return sent;
        }

        private void rethrow() {
            Exception e = failure.get();
            if (e != null) {
                throw kafka.explain(e);
            }
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(KafkaConnection kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        p.putAll(kafka.clientProperties());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static byte[] key(ObjectMapper json, String line, String idField) {
        try {
            JsonNode doc = json.readTree(line);
            for (String field : new String[] {idField, "_id"}) {
                JsonNode id = doc == null ? null : doc.get(field);
                if (id != null && (id.isTextual() || id.isIntegralNumber())) {
                    return id.asText().getBytes(StandardCharsets.UTF_8);
                }
            }
        } catch (java.io.IOException e) {
            // not JSON: sent without a key, and the job will dead-letter it with its reason
        }
        return null;
    }

}
