package dev.neuralsparse.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * One Kafka producer per Kafka connection per JVM for dead letters found in bulk responses,
 * reference-counted: each OpenSearch sink writer acquires it when created and releases it when
 * closed, and the last release closes it, so a restarted or cancelled job leaves no producer
 * behind.
 */
final class DeadLetterProducers {
    private static final Map<KafkaConnection, Entry> PRODUCERS = new HashMap<>();

    private static final class Entry {
        final KafkaProducer<byte[], byte[]> producer;
        int references;

        Entry(KafkaProducer<byte[], byte[]> producer) {
            this.producer = producer;
        }
    }

    private DeadLetterProducers() {}

    static synchronized void acquire(KafkaConnection kafka) {
        PRODUCERS.computeIfAbsent(kafka, b -> new Entry(create(b))).references++;
    }

    static synchronized void release(KafkaConnection kafka) {
        Entry e = PRODUCERS.get(kafka);
        if (e != null && --e.references == 0) {
            PRODUCERS.remove(kafka);
            e.producer.close();
        }
    }

    /** The producer a writer acquired. */
    static synchronized KafkaProducer<byte[], byte[]> get(KafkaConnection kafka) {
        Entry e = PRODUCERS.get(kafka);
        if (e == null) {
            throw new IllegalStateException("no dead-letter producer for " + kafka + ": the writer did not acquire it");
        }
        return e.producer;
    }

    private static KafkaProducer<byte[], byte[]> create(KafkaConnection kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        p.putAll(kafka.clientProperties());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }
}
