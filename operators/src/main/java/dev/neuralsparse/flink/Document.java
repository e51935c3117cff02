package dev.neuralsparse.flink;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * A valid input record: a version of one document (its id, the text to encode, its own JSON: the
 * fields that go to the index) or the deletion of one ({@link #deleted}), with the version that
 * orders it among the other records of its id and the Kafka record it came from. A POJO,
 * serialized by Flink without Kryo.
 */
public class Document implements Serializable {
    private static final long serialVersionUID = 4L;

    public String id;
    /**
     * The text to encode, in UTF-8; null for a deletion. Bytes, not a String: Flink's serializer
     * writes and reads a String a char at a time across the keyed shuffle (a few microseconds for
     * an abstract, on both task threads), an array in one copy; and the skip-unchanged hash reads
     * the UTF-8. Always well-formed: it is encoded from parsed text, which has no unpaired surrogate.
     */
    public byte[] textUtf8;
    /**
     * The record's JSON object as the index gets it, in UTF-8, to which the sink adds the vector:
     * without {@code _id} or the vector field ({@link DocumentParser} makes it so); null for a
     * deletion, and null when the record's value is that object as it is ({@link #valueIsJson}).
     * Bytes, not a String: the sink copies them into the bulk body as they are.
     */
    public byte[] json;
    /**
     * True when the Kafka record's value, byte for byte, is the JSON the index gets ({@link #json}
     * is then null): most records, and then they are neither written again nor sent twice.
     */
    public boolean valueIsJson;
    /** True when this record deletes the document (a tombstone or a delete marker). */
    public boolean deleted;
    /** Grows with each record of this id: the Kafka offset, or the version field's value. */
    public long version;
    public SourceRecord source;

    public Document() {}

    public Document(String id, String text, byte[] json, SourceRecord source) {
        this.id = id;
        this.textUtf8 = text == null ? null : text.getBytes(StandardCharsets.UTF_8);
        this.json = json;
        this.source = source;
        this.version = source == null ? 0 : source.offset;
    }

    /** The text to encode; null for a deletion. */
    public String text() {
        return textUtf8 == null ? null : new String(textUtf8, StandardCharsets.UTF_8);
    }

    /** The UTF-8 of the JSON object the index gets (see {@link #json}); null for a deletion. */
    public byte[] jsonBytes() {
        if (valueIsJson) {
            return source == null ? null : source.value;
        }
        return json;
    }

    /** The deletion of document {@code id} at {@code version}. */
    public static Document deletion(String id, long version, SourceRecord source) {
        Document d = new Document(id, null, null, source);
        d.deleted = true;
        d.version = version;
        return d;
    }
}
