package dev.neuralsparse.flink;

import java.io.Serializable;

/**
 * A Kafka record as it arrived, bytes untouched, with its coordinates: what the dead-letter topic
 * gets back when the record cannot be indexed. A POJO so Flink serializes it without Kryo.
 */
public class SourceRecord implements Serializable {
    private static final long serialVersionUID = 1L;

    public String topic;
    public int partition;
    public long offset;
    public long timestamp;
    public byte[] key;
    public byte[] value;

    public SourceRecord() {}

    public SourceRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
    }

    /** {@code topic/partition@offset}, for messages. */
    public String coordinates() {
        return topic + "/" + partition + "@" + offset;
    }
}
