package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.core.io.NumberOutput;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Writes an encoded document into a bulk body as the write that makes the index hold exactly that
 * version: an {@code index} whose source is the document's own fields plus the sparse vector (the
 * whole document replaced, nothing left of an earlier version), or a {@code delete} for a
 * deletion. Both carry the document's version with {@code version_type=external_gte}, so a write
 * older than what the index holds is refused (409, {@link FailureClass#STALE}) whatever order
 * writes arrive in, and a replay of the same record rewrites the same version.
 *
 * <p>Each document is written once, straight into the body: its JSON (already checked and made
 * compact by {@link DocumentParser}) is copied, not parsed again, and the vector's members are
 * written as bytes from its arrays, keys from {@link VectorKeys}, weights by {@link
 * WeightDecimals}. Bulk clients that build request objects and convert them (the OpenSearch
 * high-level client parses and rewrites every source) cost more per document than everything else
 * outside the model; so did a JSON generator's per-value work over hundreds of weights.
 */
public final class RankFeaturesEmitter implements Serializable {
    private static final long serialVersionUID = 4L;

    private final String index;
    private final String field;
    private transient VectorKeys tokenKeys;
    private transient VectorKeys idKeys;
    /** {@code "field":} and the vector's opening brace, as quoted UTF-8. */
    private transient byte[] fieldKey;

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
        if (d.deleted) {
            return null;
        }
        byte[] json = d.jsonBytes();
        if (json == null || doc.ids == null) {
            return "the document has no " + (json == null ? "JSON source" : "vector");
        }
        if (!isObject(json)) {
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
            writeSource(doc, batch);
            batch.raw().write('\n');
        }
        batch.endItem();
    }

    /**
     * The source line, written as bytes: the document's own fields, then the vector's members,
     * each a key from {@link VectorKeys} and a weight from {@link WeightDecimals}. Through the JSON
     * generator, a key was a cache miss or three and a weight a String of its own.
     */
    private void writeSource(EncodedDocument doc, BulkBatch batch) throws IOException {
        if (tokenKeys == null) {
            tokenKeys = new VectorKeys(true);
            idKeys = new VectorKeys(false);
            fieldKey = ("\"" + new String(JsonStringEncoder.getInstance().quoteAsString(field)) + "\":{")
                    .getBytes(StandardCharsets.UTF_8);
        }
        BulkBatch.Bytes out = batch.raw();
        byte[] fields = doc.document.jsonBytes();
        int open = indexOf(fields, (byte) '{');
        int close = lastIndexOf(fields, (byte) '}');
        out.write('{');
        if (!isBlank(fields, open + 1, close)) { // else "{}": the vector is the only field
            int from = out.end();
            out.write(fields, open + 1, close - open - 1);
            out.spaceLineBreaks(from);
            out.write(',');
        }
        out.write(fieldKey, 0, fieldKey.length);
        VectorKeys keys = doc.keyedByToken() ? tokenKeys : idKeys;
        keys.begin(doc);
        for (int i = 0; i < doc.ids.length; i++) {
            keys.write(doc, i, out);
            writeWeight(doc.weights[i], out);
        }
        out.write('}');
        out.write('}');
    }

    private void writeWeight(float weight, BulkBatch.Bytes out) {
        int end = WeightDecimals.write(weight, out.reserve(WeightDecimals.MAX_LENGTH), out.end());
        if (end >= 0) {
            out.end(end);
        } else { // far outside the weights models give: the usual shortest form
            byte[] usual = NumberOutput.toString(weight, true).getBytes(StandardCharsets.US_ASCII);
            out.write(usual, 0, usual.length);
        }
    }

    /** Braces first and last, JSON whitespace aside. */
    private static boolean isObject(byte[] json) {
        int first = 0;
        int last = json.length - 1;
        while (first <= last && isWhitespace(json[first])) {
            first++;
        }
        while (last > first && isWhitespace(json[last])) {
            last--;
        }
        return last > first && json[first] == '{' && json[last] == '}';
    }

    private static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static int indexOf(byte[] bytes, byte b) {
        int i = 0;
        while (bytes[i] != b) {
            i++;
        }
        return i;
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        int i = bytes.length - 1;
        while (bytes[i] != b) {
            i--;
        }
        return i;
    }

    private static boolean isBlank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!isWhitespace(bytes[i])) {
                return false;
            }
        }
        return true;
    }
}
