package dev.neuralsparse.flink;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kafka records behind the bulk items in flight in this JVM, keyed by index and document id:
 * the emitter records them and the bulk response inspector takes them back, so that a document
 * OpenSearch rejects reaches the dead letters with its original value and coordinates.
 */
final class InFlightDocuments {
    private static final ConcurrentHashMap<String, SourceRecord> RECORDS = new ConcurrentHashMap<>();

    private InFlightDocuments() {}

    static void put(String index, String id, SourceRecord source) {
        RECORDS.put(key(index, id), source);
    }

    static SourceRecord take(String index, String id) {
        return RECORDS.remove(key(index, id));
    }

    private static String key(String index, String id) {
        return index + '\u0000' + id;
    }
}
