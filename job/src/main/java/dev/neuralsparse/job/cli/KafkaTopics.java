package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Topics for a document stream and its dead letters, and JSON lines into a topic keyed by their id. */
final class KafkaTopics {
    private KafkaTopics() {}

    /** Creates {@code topic} (2 partitions) and {@code topic-dlq}, deleting them first when {@code fresh}. */
    static void createWithDeadLetters(String kafka, String topic, boolean fresh) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            if (fresh) {
                try {
                    admin.deleteTopics(List.of(topic, topic + "-dlq")).all().get();
                    Thread.sleep(1000); // topic deletion completes asynchronously
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;
                    }
                }
            }
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1), new NewTopic(topic + "-dlq", 1, (short) 1)))
                    .all().get();
        }
    }

    /**
     * Sends each non-blank line as one record, as it is (a line that is not JSON is sent too: that
     * is how the dead-letter path is exercised), keyed by {@code idField}, else {@code _id}, when
     * the line is a JSON object that has one.
     *
     * @return the records sent
     */
    static long produce(String kafka, String topic, Stream<String> lines, String idField) {
        ObjectMapper json = new ObjectMapper();
        long[] sent = {0};
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            lines.filter(line -> !line.isBlank()).forEach(line -> {
                producer.send(new ProducerRecord<>(topic, key(json, line, idField), line.getBytes(StandardCharsets.UTF_8)));
                sent[0]++;
            });
            producer.flush();
        }
        return sent[0];
    }

    /** A tombstone (the id as key, no value) per id: the job deletes those documents. */
    static long tombstones(String kafka, String topic, List<String> ids) {
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), null));
            }
            producer.flush();
        }
        return ids.size();
    }

    private static KafkaProducer<byte[], byte[]> producer(String kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
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
