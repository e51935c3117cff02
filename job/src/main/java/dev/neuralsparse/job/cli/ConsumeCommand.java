package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.KafkaConnection;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** {@code neural-sparse consume}: prints a topic from its earliest offset up to its end at start, then exits. */
final class ConsumeCommand implements Command {
    @Override
    public String name() {
        return "consume";
    }

    @Override
    public String summary() {
        return "print a topic (e.g. the dead letters) as JSON lines, then exit";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse consume --topic T [--kafka HOST:PORT] [--kafka-properties FILE] [--max N]",
                "",
                "Prints each record's value as one line, from the earliest offset up to the end offsets",
                "at start (or --max records), then exits. Values that are not UTF-8 print as base64.",
                "Joins no consumer group and commits nothing. --kafka-properties: Kafka client properties",
                "(security.protocol, sasl.*, ssl.*), as for produce and run.");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("kafka", "kafka-properties", "topic", "max"), Set.of());
        String topic = args.require("topic");
        long max = args.getInt("max", Integer.MAX_VALUE);
        KafkaConnection kafka = args.kafka();
        Properties p = new Properties();
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20);
        p.putAll(kafka.clientProperties());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            print(consumer, topic, max, out);
        } catch (KafkaException e) {
            throw kafka.explain(e);
        }
        return 0;
    }

    private static void print(KafkaConsumer<byte[], byte[]> consumer, String topic, long max, PrintStream out) {
        long printed = 0;
        List<TopicPartition> partitions = new ArrayList<>();
        var infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
            throw new CliArgs.UsageException("topic " + topic + " does not exist");
        }
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (printed < max && !reachedEnd(consumer, end)) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                if (printed++ >= max) {
                    break;
                }
                out.println(text(r.value()));
            }
        }
    }

    private static boolean reachedEnd(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private static String text(byte[] value) {
        if (value == null) {
            return "null";
        }
        try {
            return dev.neuralsparse.flink.Utf8.decode(value);
        } catch (java.nio.charset.CharacterCodingException e) {
            return "{\"value_base64\": \"" + Base64.getEncoder().encodeToString(value) + "\"}";
        }
    }
}
