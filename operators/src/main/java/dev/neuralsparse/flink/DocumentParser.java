package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Bytes to {@link Document}, or to a {@link DeadLetter} on the side output with the reason: too
 * large, not UTF-8, not a JSON object (duplicate keys, anything after the object, and nesting
 * deeper than the parser allows included), an unpaired UTF-16 surrogate, a text field that is not
 * a string, no text, no id, an id longer than OpenSearch accepts, a bad version. Bad data is a value here, never an exception,
 * so one record cannot stop the job.
 *
 * <p>A tombstone (null value, the key is the id) and a record whose delete field is {@code true}
 * become deletions. Each document gets its version: the version field's value, else the Kafka
 * offset.
 */
public class DocumentParser extends ProcessFunction<SourceRecord, Document> {
    private static final long serialVersionUID = 2L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    /** OpenSearch refuses a document id longer than this many UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 512;
    private static final char BYTE_ORDER_MARK = '\uFEFF';
    /** How a value that starts with its {@code _id} member, written compactly, starts. */
    private static final byte[] LEADING_ID = ("{\"" + DocumentFormat.FALLBACK_ID_FIELD + "\":").getBytes(StandardCharsets.UTF_8);

    private final DocumentFormat format;
    private final boolean acceptDeletes;
    private transient ObjectMapper json;

    /** A parser of a document stream: tombstones and delete markers are deletions. */
    public DocumentParser(DocumentFormat format) {
        this(format, true);
    }

    private DocumentParser(DocumentFormat format, boolean acceptDeletes) {
        this.format = format;
        this.acceptDeletes = acceptDeletes;
    }

    /** A parser of records that cannot be deleted (queries): a tombstone is a dead letter. */
    public static DocumentParser withoutDeletes(DocumentFormat format) {
        return new DocumentParser(format, false);
    }

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<Document> out) {
        try {
            out.collect(parse(record));
        } catch (InvalidRecord e) {
            ctx.output(DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.PARSE, e.kind, e.getMessage(), record, e.documentId));
        }
    }

    Document parse(SourceRecord record) throws InvalidRecord {
        if (record.value == null) {
            return tombstone(record);
        }
        if (record.value.length > format.maxRecordBytes()) {
            throw new InvalidRecord("too_large", "record of " + record.value.length + " bytes exceeds the limit of "
                    + format.maxRecordBytes() + " bytes", null);
        }
        String text = utf8(record.value);
        ObjectNode doc = object(text);
        String id = checkedId(id(doc, record));
        long version = version(doc, record, id);
        if (format.deleteField() != null && acceptDeletes && isTrue(doc.get(format.deleteField()))) {
            return Document.deletion(id, version, record);
        }
        // Jackson accepts "\ud800" escapes that no UTF-8 encoder can write: refuse them here.
        if (text.contains("\\u") && hasUnpairedSurrogate(doc)) {
            throw new InvalidRecord("unpaired_surrogate", "value has an unpaired UTF-16 surrogate (a \\uD800-\\uDFFF escape alone),"
                    + " which is not text", id);
        }
        Document parsed = new Document(id, text(doc, id), null, record);
        parsed.version = version;
        // _id is OpenSearch metadata: it names the document and must not be in its source; the
        // vector field is the job's. Without them (and a byte-order mark), the checked value is
        // the source as it is, and is not written again; a leading _id is cut from its bytes.
        // Anything else is written again without them.
        JsonNode underscoreId = doc.get(DocumentFormat.FALLBACK_ID_FIELD);
        if (text.charAt(0) == BYTE_ORDER_MARK || doc.has(format.outputField())) {
            parsed.json = writtenWithoutMetadata(doc);
        } else if (underscoreId == null) {
            parsed.valueIsJson = true;
        } else {
            byte[] cut = withoutLeadingMember(record.value, underscoreId);
            parsed.json = cut != null ? cut : writtenWithoutMetadata(doc);
        }
        return parsed;
    }

    /** The document without {@code _id} and the vector field, written compactly. */
    private byte[] writtenWithoutMetadata(ObjectNode doc) {
        doc.remove(DocumentFormat.FALLBACK_ID_FIELD);
        doc.remove(format.outputField());
        try {
            return json.writeValueAsBytes(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written back", e);
        }
    }

    /**
     * {@code value} without its {@code _id} member when that member comes first and is written
     * compactly, as BEIR corpora and most exporters write it ({@code {"_id":"4983",...}}); else
     * null. The member is matched byte for byte against the parsed id as JSON writes it, and keys
     * are unique, so what is left is the object without {@code _id}: one copy of the bytes instead
     * of writing the whole tree again (a fifth of this thread's time on such records).
     */
    private static byte[] withoutLeadingMember(byte[] value, JsonNode underscoreId) {
        byte[] written = underscoreId.isTextual()
                ? quoted(JsonStringEncoder.getInstance().quoteAsUTF8(underscoreId.textValue()))
                : underscoreId.isIntegralNumber() ? underscoreId.asText().getBytes(StandardCharsets.US_ASCII) : null;
        int end = LEADING_ID.length + (written == null ? 0 : written.length); // the comma after the member
        if (written == null || value.length <= end + 1 || value[end] != ','
                || !Arrays.equals(value, 0, LEADING_ID.length, LEADING_ID, 0, LEADING_ID.length)
                || !Arrays.equals(value, LEADING_ID.length, end, written, 0, written.length)) {
            return null;
        }
        byte[] rest = new byte[value.length - end];
        rest[0] = '{';
        System.arraycopy(value, end + 1, rest, 1, rest.length - 1);
        return rest;
    }

    private static byte[] quoted(byte[] escaped) {
        byte[] q = new byte[escaped.length + 2];
        q[0] = '"';
        System.arraycopy(escaped, 0, q, 1, escaped.length);
        q[q.length - 1] = '"';
        return q;
    }

    private Document tombstone(SourceRecord record) throws InvalidRecord {
        if (!acceptDeletes) {
            throw new InvalidRecord("no_value", "record has no value", null);
        }
        if (record.key == null || record.key.length == 0) {
            throw new InvalidRecord("tombstone_without_key", "a tombstone (no value) without a key: nothing names the document to delete", null);
        }
        String id = checkedId(utf8(record.key));
        if (format.versionField() != null) {
            throw new InvalidRecord("tombstone_without_version", "a tombstone carries no version field '" + format.versionField() + "': with"
                    + " a version field, delete with a record that has it and a delete field", id);
        }
        return Document.deletion(id, record.offset, record);
    }

    private String text(ObjectNode doc, String id) throws InvalidRecord {
        List<String> parts = new ArrayList<>();
        for (String field : format.textFields()) {
            JsonNode v = doc.get(field);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isTextual()) {
                throw new InvalidRecord("text_not_string", "text field '" + field + "' is a " + v.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                        + ", not a string", id);
            }
            parts.add(v.asText());
        }
        if (parts.isEmpty()) {
            throw new InvalidRecord("no_text", "no text: none of the fields " + format.textFields() + " is present", id);
        }
        return String.join(" ", parts).strip();
    }

    private static String utf8(byte[] bytes) throws InvalidRecord {
        try {
            return Utf8.decode(bytes);
        } catch (CharacterCodingException e) {
            throw new InvalidRecord("not_utf8", "value is not valid UTF-8 (" + e.getMessage() + ")", null);
        }
    }

    private ObjectNode object(String text) throws InvalidRecord {
        if (json == null) {
            // Trailing tokens refused: "{...} {...}" is not one document, and the second must not
            // vanish (Jackson's default reads the first value and ignores the rest).
            json = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        }
        // RFC 8259 lets a parser ignore a leading byte-order mark, and many Windows tools write one.
        String body = !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRecord("invalid_json", "value is not valid JSON (" + e.getOriginalMessage() + ")", null);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRecord("not_an_object", "value is not a JSON object", null);
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
        throw new InvalidRecord("no_id", "no document id: neither field '" + format.idField() + "' nor '" + DocumentFormat.FALLBACK_ID_FIELD
                + "' holds a string or integer, and the record has no key", null);
    }

    private static String checkedId(String id) throws InvalidRecord {
        String tooLong = idTooLong(id);
        if (tooLong != null) {
            throw new InvalidRecord("id_too_long", tooLong, null);
        }
        return id;
    }

    /** Why OpenSearch refuses {@code id} (longer than {@link #MAX_ID_BYTES} UTF-8 bytes), or null. */
    static String idTooLong(String id) {
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        return bytes <= MAX_ID_BYTES ? null : "document id of " + bytes + " UTF-8 bytes is longer than the " + MAX_ID_BYTES
                + " bytes OpenSearch accepts (it starts '" + id.substring(0, 40) + "')";
    }

    private long version(ObjectNode doc, SourceRecord record, String id) throws InvalidRecord {
        if (format.versionField() == null) {
            return record.offset;
        }
        JsonNode v = doc.get(format.versionField());
        if (v != null && v.canConvertToExactIntegral() && v.canConvertToLong() && v.asLong() >= 0) {
            return v.asLong();
        }
        if (v != null && v.isTextual() && v.asText().matches("[0-9]{1,18}")) {
            return Long.parseLong(v.asText());
        }
        throw new InvalidRecord("bad_version", "version field '" + format.versionField() + "' is " + (v == null ? "missing" : v.toString())
                + ", not a whole number from 0 to " + Long.MAX_VALUE, id);
    }

    private static boolean isTrue(JsonNode v) {
        return v != null && (v.isBoolean() ? v.booleanValue() : v.isTextual() && v.asText().equalsIgnoreCase("true"));
    }

    private static boolean hasUnpairedSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return hasUnpairedSurrogate(node.textValue());
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (hasUnpairedSurrogate(e.getKey()) || hasUnpairedSurrogate(e.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (hasUnpairedSurrogate(item)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Why a record is not a document. */
    static final class InvalidRecord extends Exception {
        private static final long serialVersionUID = 1L;
        /** The reason class of the dead letter, e.g. {@code invalid_json}. */
        final String kind;
        final String documentId;

        InvalidRecord(String kind, String message, String documentId) {
            super(message, null, false, false);
            this.kind = kind;
            this.documentId = documentId;
        }
    }
}
