package dev.neuralsparse.flink;

import java.io.Serializable;

/**
 * A valid input document: its id, the text to encode, its own JSON (the fields that go to the
 * index) and the Kafka record it came from. A POJO, serialized by Flink without Kryo.
 */
public class Document implements Serializable {
    private static final long serialVersionUID = 1L;

    public String id;
    public String text;
    /** The record's JSON object, to which the sparse vector is added. */
    public String json;
    public SourceRecord source;

    public Document() {}

    public Document(String id, String text, String json, SourceRecord source) {
        this.id = id;
        this.text = text;
        this.json = json;
        this.source = source;
    }
}
