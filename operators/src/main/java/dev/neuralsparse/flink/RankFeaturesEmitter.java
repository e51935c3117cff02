package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * Writes an encoded document into a bulk body as the write that makes the index hold exactly that
 * version: an {@code index} whose source is the document's own fields plus the sparse vector (the
 * whole document replaced, nothing left of an earlier version), or a {@code delete} for a
 * deletion. Both carry the document's version with {@code version_type=external_gte}, so a write
 * older than what the index holds is refused (409, {@link FailureClass#STALE}) whatever order
 * writes arrive in, and a replay of the same record rewrites the same version.
 *
 * <p>Each document is written once, straight into the body: its JSON (already checked and made
 * compact by {@link DocumentParser}) is copied, not parsed again, and the weights are streamed
 * from the vector's arrays. Bulk clients that build request objects and convert them (the
 * OpenSearch high-level client parses and rewrites every source) cost more per document than
 * everything else outside the model.
 */
public final class RankFeaturesEmitter implements Serializable {
    private static final long serialVersionUID = 4L;

    private final String index;
    private final String field;
    /** Each key as quoted, escaped UTF-8, by token id, made on first use: written by copying bytes. */
    private transient SerializedString[] tokenKeys;
    private transient SerializedString[] idKeys;

    /** Writes to {@code index}, the vector in {@code field}. */
    public RankFeaturesEmitter(String index, String field) {
        this.index = index;
        this.field = field;
    }

    /**
     * Why OpenSearch would refuse the whole bulk for this write (it validates every action before
     * running any), or null. {@link DocumentParser} never lets such a document through; documents
     * made elsewhere are checked here, so that one of them cannot fail the bulk of the others.
     */
    static String invalid(EncodedDocument doc) {
        Document d = doc.document;
        if (d.id == null || d.id.isEmpty()) {
            return "the document has no id";
        }
        String tooLong = DocumentParser.idTooLong(d.id);
        if (tooLong != null) {
            return tooLong;
        }
        if (d.version < 0) {
            return "version " + d.version + " is negative; external versions start at 0";
        }
        if (!d.deleted && (d.json == null || doc.ids == null)) {
            return "the document has no " + (d.json == null ? "JSON source" : "vector");
        }
        if (!d.deleted && !isObject(d.json.strip())) {
            return "the document's source is not a JSON object";
        }
        return null;
    }

    /** Appends the document's action (and source) lines to {@code batch}; {@link #invalid} must be null. */
    void write(EncodedDocument doc, BulkBatch batch) throws IOException {
        Document d = doc.document;
        JsonGenerator json = batch.beginItem(d.id, d.source);
        json.writeStartObject();
        json.writeObjectFieldStart(d.deleted ? "delete" : "index");
        json.writeStringField("_index", index);
        json.writeStringField("_id", d.id);
        json.writeNumberField("version", d.version);
        json.writeStringField("version_type", "external_gte");
        json.writeEndObject();
        json.writeEndObject();
        json.writeRaw('\n');
        if (!d.deleted) {
            writeSource(doc, json);
            json.writeRaw('\n');
        }
        batch.endItem();
    }

    private void writeSource(EncodedDocument doc, JsonGenerator json) throws IOException {
        json.writeStartObject();
        String fields = oneLine(doc.document.json);
        int close = fields.lastIndexOf('}');
        int open = fields.indexOf('{');
        if (!isBlank(fields, open + 1, close)) { // else "{}": the vector is the only field
            json.writeRaw(fields, open + 1, close - open - 1);
            json.writeRaw(',');
        }
        json.writeObjectFieldStart(field);
        for (int i = 0; i < doc.ids.length; i++) {
            json.writeFieldName(key(doc, i));
            json.writeNumber(doc.weights[i]);
        }
        json.writeEndObject();
        json.writeEndObject();
    }

    /**
     * The key of entry {@code i}, from the cache: escaping each of hundreds of keys per document
     * again was a third of the time spent writing it. A token's cached key is used only while the
     * document's token is that very string (one vocabulary hands out the same instances).
     */
    private SerializedString key(EncodedDocument doc, int i) {
        int id = doc.ids[i];
        if (doc.tokens == null) {
            idKeys = grown(idKeys, id);
            SerializedString key = idKeys[id];
            return key != null ? key : (idKeys[id] = new SerializedString(Integer.toString(id)));
        }
        tokenKeys = grown(tokenKeys, id);
        SerializedString key = tokenKeys[id];
        return key != null && key.getValue() == doc.tokens[i] ? key : (tokenKeys[id] = new SerializedString(doc.tokens[i]));
    }

    private static SerializedString[] grown(SerializedString[] keys, int id) {
        if (keys == null) {
            return new SerializedString[Math.max(id + 1, 32_768)];
        }
        return id < keys.length ? keys : Arrays.copyOf(keys, Math.max(id + 1, keys.length * 2));
    }

    private static boolean isObject(String json) {
        return json.length() >= 2 && json.charAt(0) == '{' && json.charAt(json.length() - 1) == '}';
    }

    private static boolean isBlank(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Character.isWhitespace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A bulk source must be one line. A line break in JSON can only be whitespace between tokens
     * (inside a string it is escaped), so it can become a space; the parser's JSON has none.
     */
    private static String oneLine(String json) {
        return json.indexOf('\n') < 0 && json.indexOf('\r') < 0 ? json : json.replace('\n', ' ').replace('\r', ' ');
    }
}
