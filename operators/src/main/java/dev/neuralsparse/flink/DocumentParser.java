package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Bytes to {@link Document}, or to a {@link DeadLetter} on the side output with the reason: no
 * value, too large, not UTF-8, not a JSON object, a text field that is not a string, no text, no
 * id. Bad data is a value here, never an exception, so one record cannot stop the job.
 */
public class DocumentParser extends ProcessFunction<SourceRecord, Document> {
    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    private final DocumentFormat format;
    private transient ObjectMapper json;

    public DocumentParser(DocumentFormat format) {
        this.format = format;
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<Document> out) {
        try {
            out.collect(parse(record));
        } catch (InvalidRecord e) {
            ctx.output(DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.PARSE, e.getMessage(), record, e.documentId));
        }
    }

    Document parse(SourceRecord record) throws InvalidRecord {
        if (record.value == null) {
            throw new InvalidRecord("record has no value", null);
        }
        if (record.value.length > format.maxRecordBytes()) {
            throw new InvalidRecord("record of " + record.value.length + " bytes exceeds the limit of "
                    + format.maxRecordBytes() + " bytes", null);
        }
        ObjectNode doc = object(utf8(record.value));
        String id = id(doc, record);
        List<String> parts = new ArrayList<>();
        for (String field : format.textFields()) {
            JsonNode v = doc.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isTextual()) {
                throw new InvalidRecord("text field '" + field + "' is a " + v.getNodeType().name().toLowerCase()
                        + ", not a string", id);
            }
            parts.add(v.asText());
        }
        if (parts.isEmpty()) {
            throw new InvalidRecord("no text: none of the fields " + format.textFields() + " is present", id);
        }
        // _id is OpenSearch metadata: it names the document and must not be in its source.
        doc.remove(DocumentFormat.FALLBACK_ID_FIELD);
        doc.remove(format.outputField());
        return new Document(id, String.join(" ", parts).strip(), doc.toString(), record);
    }

    private static String utf8(byte[] bytes) throws InvalidRecord {
        try {
            return Utf8.decode(bytes);
        } catch (CharacterCodingException e) {
            throw new InvalidRecord("value is not valid UTF-8 (" + e.getMessage() + ")", null);
        }
    }

    private ObjectNode object(String text) throws InvalidRecord {
        if (json == null) {
            json = new ObjectMapper();
        }
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidRecord("value is not valid JSON (" + e.getOriginalMessage() + ")", null);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecord("value is not a JSON object", null);
        }
        return (ObjectNode) node;
    }

    private String id(ObjectNode doc, SourceRecord record) throws InvalidRecord {
        for (String field : List.of(format.idField(), DocumentFormat.FALLBACK_ID_FIELD)) {
            JsonNode v = doc.get(field);
            if (v != null && (v.isTextual() || v.isIntegralNumber()) && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        if (record.key != null && record.key.length > 0) {
            return utf8(record.key);
        }
        throw new InvalidRecord("no document id: neither field '" + format.idField() + "' nor '" + DocumentFormat.FALLBACK_ID_FIELD
                + "' holds a string or integer, and the record has no key", null);
    }

    /** Why a record is not a document. */
    static final class InvalidRecord extends Exception {
        private static final long serialVersionUID = 1L;
        final String documentId;

        InvalidRecord(String message, String documentId) {
            super(message, null, false, false);
            this.documentId = documentId;
        }
    }
}
