package dev.neuralsparse.flink;

import java.io.Serializable;

/**
 * A record that could not be indexed: the original bytes, the reason and the stage that gave
 * up, and where it came from. Written to the dead-letter topic by {@link DeadLetterSerializer}.
 */
public class DeadLetter implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Where in the pipeline the record was given up. */
    public enum Stage {
        PARSE,
        ENCODE,
        INDEX,
        /** A query or IDF update that could not be used. */
        QUERY,
        SEARCH
    }

    public Stage stage;
    public String reason;
    /** A short, stable name of the kind of reason (e.g. {@code invalid_json}), for metrics and alerts. */
    public String reasonClass;
    public SourceRecord source;
    public String documentId;

    public DeadLetter() {}

    public DeadLetter(Stage stage, String reason, SourceRecord source, String documentId) {
        this(stage, defaultClass(stage), reason, source, documentId);
    }

    public DeadLetter(Stage stage, String reasonClass, String reason, SourceRecord source, String documentId) {
        this.stage = stage;
        this.reasonClass = reasonClass;
        this.reason = reason;
        this.source = source;
        this.documentId = documentId;
    }

    private static String defaultClass(Stage stage) {
        switch (stage) {
            case ENCODE:
                return "unencodable";
            case INDEX:
                return "rejected";
            case QUERY:
                return "invalid_query";
            case SEARCH:
                return "search_failed";
            default:
                return "invalid_record";
        }
    }
}
