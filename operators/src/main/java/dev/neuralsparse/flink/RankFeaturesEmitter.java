package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.opensearch.sink.OpensearchEmitter;
import org.apache.flink.connector.opensearch.sink.RequestIndexer;
import org.opensearch.action.ActionRequestValidationException;
import org.opensearch.action.DocWriteRequest;
import org.opensearch.action.delete.DeleteRequest;
import org.opensearch.action.index.IndexRequest;
import org.opensearch.common.xcontent.XContentType;
import org.opensearch.index.VersionType;

/**
 * Turns an encoded document into the write that makes the index hold exactly that version: an
 * index request whose source is the document's own fields plus the sparse vector (the whole
 * document replaced, nothing left of an earlier version), or a delete request for a deletion.
 * Both carry the document's version with {@code version_type=external_gte}, so a write older than
 * what the index holds is refused (409, {@link FailureClass#STALE}) whatever order writes arrive
 * in, and a replay of the same record rewrites the same version.
 *
 * <p>A request that the OpenSearch client's own validation refuses (an id over 512 bytes, a bad
 * version) would fail the whole bulk: it goes to the dead letters here instead, never into a bulk.
 */
public class RankFeaturesEmitter implements OpensearchEmitter<EncodedDocument> {
    private static final long serialVersionUID = 3L;

    private final String index;
    private final String field;
    private final KafkaConnection deadLetterKafka;
    private final String deadLetterTopic;
    private transient ObjectMapper json;
    private transient SinkDeadLetters deadLetters;

    /**
     * @param deadLetterKafka Kafka of the dead-letter topic, shared with the writer's
     *     {@link DeadLetterBulkInspector} (null: requests the client refuses fail the job)
     */
    public RankFeaturesEmitter(String index, String field, KafkaConnection deadLetterKafka, String deadLetterTopic) {
        this.index = index;
        this.field = field;
        this.deadLetterKafka = deadLetterKafka;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public void open() {
        json = jsonMapper();
        if (deadLetterKafka != null) {
            deadLetters = SinkDeadLetters.forThisWriter(deadLetterKafka, deadLetterTopic);
        }
    }

    @Override
    public void close() {
        if (deadLetters != null) {
            deadLetters.close();
            deadLetters = null;
        }
        json = null;
    }

    @Override
    public void emit(EncodedDocument doc, SinkWriter.Context context, RequestIndexer indexer) {
        DocWriteRequest<?> request = request(doc);
        ActionRequestValidationException invalid = validate(request);
        if (invalid != null) {
            if (deadLetters == null) {
                throw new IllegalArgumentException("document " + doc.document.id + ": " + invalid.getMessage(), invalid);
            }
            deadLetters.send(new DeadLetter(DeadLetter.Stage.INDEX, "refused_by_client", "the OpenSearch client refuses the request: "
                    + invalid.getMessage(), doc.document.source, doc.document.id));
            deadLetters.flush();
            return;
        }
        if (deadLetters != null) {
            deadLetters.track(doc.document.id, doc.document.source);
        }
        if (request instanceof DeleteRequest delete) {
            indexer.add(delete);
        } else {
            indexer.add((IndexRequest) request);
        }
    }

    DocWriteRequest<?> request(EncodedDocument doc) {
        if (doc.document.deleted) {
            return new DeleteRequest(index, doc.document.id)
                    .versionType(VersionType.EXTERNAL_GTE)
                    .version(doc.document.version);
        }
        return new IndexRequest(index)
                .id(doc.document.id)
                .source(source(doc), XContentType.JSON)
                .versionType(VersionType.EXTERNAL_GTE)
                .version(doc.document.version);
    }

    /**
     * Weights written with the Schubfach algorithm: the same floats back when parsed, and several
     * times faster than the JDK's {@code Float.toString}, which took a large part of the time spent
     * building a request (hundreds of weights per document).
     */
    private static ObjectMapper jsonMapper() {
        return JsonMapper.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();
    }

    private static ActionRequestValidationException validate(DocWriteRequest<?> request) {
        return request instanceof IndexRequest i ? i.validate() : ((DeleteRequest) request).validate();
    }

    private byte[] source(EncodedDocument doc) {
        if (json == null) {
            json = jsonMapper();
        }
        try {
            ObjectNode source = (ObjectNode) json.readTree(doc.document.json);
            ObjectNode vector = source.putObject(field);
            for (Map.Entry<String, Float> e : doc.vector.entrySet()) {
                vector.put(e.getKey(), e.getValue());
            }
            return json.writeValueAsBytes(source);
        } catch (IOException e) {
            throw new UncheckedIOException("document " + doc.document.id + " was valid JSON when parsed", e);
        }
    }
}
