package dev.neuralsparse.flink;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The dead letters of one OpenSearch sink writer: writes that OpenSearch rejects for what they are
 * (or that it would refuse before running the bulk), sent to the dead-letter topic through the
 * JVM's shared producer for that Kafka ({@link DeadLetterProducers}) and counted per reason class
 * as {@code neuralSparse.stage.index.reason.<class>.deadLetters}. Used by the writer's task thread.
 */
final class SinkDeadLetters implements AutoCloseable {
    private final KafkaConnection kafka;
    private final String topic;
    private final DeadLetterSerializer serializer;
    private final MetricGroup metrics;
    private final Map<String, Counter> counters = new HashMap<>();
    private boolean unflushed;
    private boolean closed;

    SinkDeadLetters(KafkaConnection kafka, String topic, MetricGroup metrics) {
        this.kafka = kafka;
        this.topic = topic;
        this.serializer = new DeadLetterSerializer(topic);
        this.metrics = metrics;
        DeadLetterProducers.acquire(kafka);
    }

    /** Sends a dead letter and waits for Kafka to take it: a checkpoint never covers an unsent one. */
    void send(DeadLetter letter) {
        counters.computeIfAbsent(letter.reasonClass, c -> metrics.addGroup("neuralSparse").addGroup("stage", "index")
                .addGroup("reason", c).counter("deadLetters")).inc();
        ProducerRecord<byte[], byte[]> record = serializer.serialize(letter, null, null);
        try {
            DeadLetterProducers.get(kafka).send(record).get();
            unflushed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("interrupted while sending a dead letter to " + topic, e);
        } catch (ExecutionException e) {
            throw new FlinkRuntimeException("cannot send a dead letter to " + topic + ": " + e.getCause(), e);
        }
    }

    void flush() {
        if (unflushed) {
            DeadLetterProducers.get(kafka).flush();
            unflushed = false;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DeadLetterProducers.release(kafka);
        }
    }
}
