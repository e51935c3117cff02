package dev.neuralsparse.flink;

import java.io.Serializable;

/**
 * A valid input record: a version of one document (its id, the text to encode, its own JSON: the
 * fields that go to the index) or the deletion of one ({@link #deleted}), with the version that
 * orders it among the other records of its id and the Kafka record it came from. A POJO,
 * serialized by Flink without Kryo.
 */
public class Document implements Serializable {
    private static final long serialVersionUID = 2L;

    public String id;
    /** The text to encode; null for a deletion. */
    public String text;
    /**
     * The record's JSON object as the index gets it, to which the sink adds the vector: one line,
     * without {@code _id} or the vector field ({@link DocumentParser} makes it so); null for a deletion.
     */
    public String json;
    /** True when this record deletes the document (a tombstone or a delete marker). */
    public boolean deleted;
    /** Grows with each record of this id: the Kafka offset, or the version field's value. */
    public long version;
    public SourceRecord source;

    public Document() {}

    public Document(String id, String text, String json, SourceRecord source) {
        this.id = id;
        this.text = text;
        this.json = json;
        this.source = source;
        this.version = source == null ? 0 : source.offset;
    }

    /** The deletion of document {@code id} at {@code version}. */
    public static Document deletion(String id, long version, SourceRecord source) {
        Document d = new Document(id, null, null, source);
        d.deleted = true;
        d.version = version;
        return d;
    }
}
