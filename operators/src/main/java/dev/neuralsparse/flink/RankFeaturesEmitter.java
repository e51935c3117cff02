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
    private transient ObjectMapper json;

    public RankFeaturesEmitter(String index, String field) {
        this.index = index;
        this.field = field;
    }

    @Override
    public void open() {
        json = new ObjectMapper();
    }

    @Override
    public void emit(EncodedDocument doc, SinkWriter.Context context, RequestIndexer indexer) {
        indexer.add(upsert(doc));
    }

    UpdateRequest upsert(EncodedDocument doc) {
        if (json == null) {
            open();
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
