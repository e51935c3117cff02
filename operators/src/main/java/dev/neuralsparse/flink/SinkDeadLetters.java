package dev.neuralsparse.flink;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The dead-letter side of one OpenSearch sink writer: the Kafka records behind the writes in
 * flight (by document id, oldest first, so two writes of one id in flight are told apart by
 * order), and the sending of dead letters for items that cannot be written. Owned by the writer:
 * its emitter releases it on close, which clears it. Items are found by their {@code _id}, never by
 * their position in a bulk: after the bulk processor retries, positions are those of the retried
 * request, not of the original.
 *
 * <p>The writer creates its emitter and its bulk response inspector in its constructor, on its
 * task thread, and calls both only from that thread (the inspector through the mailbox), but hands
 * neither a reference to the other; {@link #forThisWriter} pairs them through a thread-local
 * hand-off: the first of the two to ask creates the instance, the second takes it over.
 */
final class SinkDeadLetters {
    private static final ThreadLocal<SinkDeadLetters> HANDOFF = new ThreadLocal<>();

    private final KafkaConnection kafka;
    private final String topic;
    private final DeadLetterSerializer serializer;
    private final Map<String, ArrayDeque<SourceRecord>> inFlight = new HashMap<>();
    private final Map<String, Counter> counters = new HashMap<>();
    private MetricGroup metrics;
    private boolean unflushed;
    private boolean closed;

    private SinkDeadLetters(KafkaConnection kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
        this.serializer = new DeadLetterSerializer(topic);
        DeadLetterProducers.acquire(kafka);
    }

    /** The instance shared by the emitter and the inspector of the writer being created on this thread. */
    static SinkDeadLetters forThisWriter(KafkaConnection kafka, String topic) {
        SinkDeadLetters first = HANDOFF.get();
        if (first != null) {
            HANDOFF.remove();
            return first;
        }
        SinkDeadLetters created = new SinkDeadLetters(kafka, topic);
        HANDOFF.set(created);
        return created;
    }

    /** Where {@code neuralSparse.stage.index.reason.<class>.deadLetters} are counted (the writer's group). */
    synchronized void countIn(MetricGroup group) {
        metrics = group;
    }

    synchronized void track(String id, SourceRecord source) {
        inFlight.computeIfAbsent(id, k -> new ArrayDeque<>(1)).add(source);
    }

    /** The record of the oldest write of {@code id} in flight, which the response now answers. */
    synchronized SourceRecord take(String id) {
        ArrayDeque<SourceRecord> records = inFlight.get(id);
        if (records == null) {
            return null;
        }
        SourceRecord oldest = records.poll();
        if (records.isEmpty()) {
            inFlight.remove(id);
        }
        return oldest;
    }

    synchronized int inFlight() {
        return inFlight.size();
    }

    /** Sends a dead letter and waits for Kafka to take it: a checkpoint never covers an unsent one. */
    void send(DeadLetter letter) {
        count(letter);
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

    private synchronized void count(DeadLetter letter) {
        if (metrics != null) {
            counters.computeIfAbsent(letter.reasonClass, c -> metrics.addGroup("neuralSparse").addGroup("stage", "index")
                    .addGroup("reason", c).counter("deadLetters")).inc();
        }
    }

    void flush() {
        if (unflushed) {
            DeadLetterProducers.get(kafka).flush();
            unflushed = false;
        }
    }

    synchronized void close() {
        if (!closed) {
            closed = true;
            inFlight.clear();
            DeadLetterProducers.release(kafka);
        }
    }
}
