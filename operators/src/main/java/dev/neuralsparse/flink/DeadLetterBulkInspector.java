package dev.neuralsparse.flink;

import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.flink.connector.opensearch.sink.BulkResponseInspector;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.action.DocWriteRequest;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.core.rest.RestStatus;

/**
 * Looks at every bulk response of the OpenSearch sink. An item OpenSearch rejected for what it
 * is (a mapping conflict, a malformed value: 4xx) goes to the dead-letter topic with its original
 * record and the reason, and the job goes on. An item refused for the cluster's state (429 too
 * many requests, 5xx) fails the job instead, which restarts from its last checkpoint: the upserts
 * are idempotent, so the replay is harmless and nothing is lost. The dead letter is sent and
 * flushed before the bulk counts as done, so a checkpoint never covers an unsent dead letter.
 */
public class DeadLetterBulkInspector implements BulkResponseInspector, AutoCloseable {
    private final DeadLetterSerializer serializer;
    private final String topic;
    private final Properties producerConfig;
    private KafkaProducer<byte[], byte[]> producer;

    DeadLetterBulkInspector(String bootstrapServers, String topic) {
        this.topic = topic;
        this.serializer = new DeadLetterSerializer(topic);
        this.producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producerConfig.put(ProducerConfig.ACKS_CONFIG, "all");
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        producerConfig.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerConfig.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    }

    /** The factory the sink builder takes; serializable, it creates the inspector on the TaskManager. */
    public static BulkResponseInspectorFactory factory(String bootstrapServers, String topic) {
        return context -> new DeadLetterBulkInspector(bootstrapServers, topic);
    }

    @Override
    public void inspect(BulkRequest request, BulkResponse response) {
        FlinkRuntimeException transientFailure = null;
        for (BulkItemResponse item : response.getItems()) {
            DocWriteRequest<?> action = request.requests().get(item.getItemId());
            SourceRecord source = InFlightDocuments.take(action.index(), action.id());
            if (!item.isFailed()) {
                continue;
            }
            RestStatus status = item.status();
            if (status == RestStatus.TOO_MANY_REQUESTS || status.getStatus() >= 500) {
                if (transientFailure == null) {
                    transientFailure = new FlinkRuntimeException("OpenSearch refused document " + action.id()
                            + " with " + status + " (" + item.getFailureMessage() + "); restarting from the last checkpoint");
                }
                continue;
            }
            send(new DeadLetter(DeadLetter.Stage.INDEX, "OpenSearch rejected the document: " + status + " "
                    + item.getFailureMessage(), source, action.id()));
        }
        if (producer != null) {
            producer.flush();
        }
        if (transientFailure != null) {
            throw transientFailure;
        }
    }

    private void send(DeadLetter letter) {
        if (producer == null) {
            producer = new KafkaProducer<>(producerConfig);
        }
        ProducerRecord<byte[], byte[]> record = serializer.serialize(letter, null, null);
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("interrupted while sending a dead letter to " + topic, e);
        } catch (ExecutionException e) {
            throw new FlinkRuntimeException("cannot send a dead letter to " + topic + ": " + e.getCause(), e);
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
