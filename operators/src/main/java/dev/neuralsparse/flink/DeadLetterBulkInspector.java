package dev.neuralsparse.flink;

import java.util.concurrent.ExecutionException;
import org.apache.flink.connector.opensearch.sink.BulkResponseInspector;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.clients.producer.ProducerRecord;
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
public class DeadLetterBulkInspector implements BulkResponseInspector {
    private final DeadLetterSerializer serializer;
    private final String bootstrapServers;
    private final String topic;
    private boolean sent;

    DeadLetterBulkInspector(String bootstrapServers, String topic) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.serializer = new DeadLetterSerializer(topic);
    }

    /**
     * The factory the sink builder takes; serializable, it creates the inspector on the
     * TaskManager. Use it with a {@link RankFeaturesEmitter} given the same bootstrap servers:
     * the emitter holds the shared producer open for the writer's lifetime.
     */
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
        if (sent) {
            DeadLetterProducers.get(bootstrapServers).flush();
            sent = false;
        }
        if (transientFailure != null) {
            throw transientFailure;
        }
    }

    private void send(DeadLetter letter) {
        ProducerRecord<byte[], byte[]> record = serializer.serialize(letter, null, null);
        try {
            DeadLetterProducers.get(bootstrapServers).send(record).get();
            sent = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("interrupted while sending a dead letter to " + topic, e);
        } catch (ExecutionException e) {
            throw new FlinkRuntimeException("cannot send a dead letter to " + topic + ": " + e.getCause(), e);
        }
    }
}
