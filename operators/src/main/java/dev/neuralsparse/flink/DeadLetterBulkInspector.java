package dev.neuralsparse.flink;

import org.apache.flink.connector.opensearch.sink.BulkResponseInspector;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;

/**
 * Looks at every bulk response of the OpenSearch sink and handles each failed item by its
 * {@link FailureClass}: an item OpenSearch rejected for what it is (a mapping conflict, a
 * malformed value: 4xx) goes to the dead-letter topic with its original record and the reason, and
 * the job goes on; a 409 against an external version means the index already holds a newer version
 * of the document, which is right, so nothing is done; an item refused for the cluster's state
 * (429, 5xx) fails the job, which restarts from its last checkpoint (writes are versioned, so the
 * replay is harmless and nothing is lost). The dead letters are flushed before the bulk counts as
 * done, so a checkpoint never covers an unsent one.
 */
public class DeadLetterBulkInspector implements BulkResponseInspector {
    private final SinkDeadLetters deadLetters;
    private final Counter stale;

    DeadLetterBulkInspector(SinkDeadLetters deadLetters, MetricGroup metrics) {
        this.deadLetters = deadLetters;
        deadLetters.countIn(metrics);
        this.stale = metrics.addGroup("neuralSparse").counter("staleWritesRefused");
    }

    /**
     * The factory the sink builder takes; serializable, it creates the inspector on the
     * TaskManager. Use it with a {@link RankFeaturesEmitter} given the same Kafka and topic: the
     * two share the writer's {@link SinkDeadLetters}.
     */
    public static BulkResponseInspectorFactory factory(KafkaConnection kafka, String topic) {
        return context -> new DeadLetterBulkInspector(SinkDeadLetters.forThisWriter(kafka, topic),
                context.metricGroup());
    }

    @Override
    public void inspect(BulkRequest request, BulkResponse response) {
        FlinkRuntimeException infrastructure = null;
        for (BulkItemResponse item : response.getItems()) {
            SourceRecord source = deadLetters.take(item.getId());
            if (!item.isFailed()) {
                continue;
            }
            switch (FailureClass.ofBulkItem(item.status())) {
                case STALE -> stale.inc();
                case INFRASTRUCTURE -> {
                    if (infrastructure == null) {
                        infrastructure = new FlinkRuntimeException("OpenSearch refused document " + item.getId()
                                + " with " + item.status() + " (" + item.getFailureMessage()
                                + "); restarting from the last checkpoint");
                    }
                }
                case INPUT -> {
                    deadLetters.send(new DeadLetter(DeadLetter.Stage.INDEX, "OpenSearch rejected the document: "
                            + item.status() + " " + item.getFailureMessage(), source, item.getId()));
                }
            }
        }
        deadLetters.flush();
        if (infrastructure != null) {
            throw infrastructure;
        }
    }
}
