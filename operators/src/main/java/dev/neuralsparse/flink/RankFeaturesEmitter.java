package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.opensearch.sink.OpensearchEmitter;
import org.apache.flink.connector.opensearch.sink.RequestIndexer;
import org.opensearch.action.update.UpdateRequest;
import org.opensearch.common.xcontent.XContentType;

/**
 * Turns an encoded document into an upsert: the document's own fields plus the sparse vector in
 * a {@code rank_features} field, under its deterministic id, so that a replay after a restart
 * overwrites instead of duplicating.
 */
public class RankFeaturesEmitter implements OpensearchEmitter<EncodedDocument> {
    private static final long serialVersionUID = 1L;

    private final String index;
    private final String field;
    private final String deadLetterBootstrapServers;
    private transient ObjectMapper json;

    /**
     * @param deadLetterBootstrapServers Kafka of the dead-letter topic: the emitter keeps the
     *     shared producer of {@link DeadLetterBulkInspector} open while the writer lives (null:
     *     no inspector)
     */
    public RankFeaturesEmitter(String index, String field, String deadLetterBootstrapServers) {
        this.index = index;
        this.field = field;
        this.deadLetterBootstrapServers = deadLetterBootstrapServers;
    }

    @Override
    public void open() {
        json = new ObjectMapper();
        if (deadLetterBootstrapServers != null) {
            DeadLetterProducers.acquire(deadLetterBootstrapServers);
        }
    }

    @Override
    public void close() {
        if (json != null && deadLetterBootstrapServers != null) {
            DeadLetterProducers.release(deadLetterBootstrapServers);
        }
        json = null;
    }

    @Override
    public void emit(EncodedDocument doc, SinkWriter.Context context, RequestIndexer indexer) {
        indexer.add(upsert(doc));
    }

    UpdateRequest upsert(EncodedDocument doc) {
        if (json == null) {
            json = new ObjectMapper();
        }
        try {
            ObjectNode source = (ObjectNode) json.readTree(doc.document.json);
            ObjectNode vector = source.putObject(field);
            for (Map.Entry<String, Float> e : doc.vector.entrySet()) {
                vector.put(e.getKey(), e.getValue());
            }
            InFlightDocuments.put(index, doc.document.id, doc.document.source);
            return new UpdateRequest(index, doc.document.id)
                    .doc(json.writeValueAsString(source), XContentType.JSON)
                    .docAsUpsert(true);
        } catch (IOException e) {
            throw new UncheckedIOException("document " + doc.document.id + " was valid JSON when parsed", e);
        }
    }
}
