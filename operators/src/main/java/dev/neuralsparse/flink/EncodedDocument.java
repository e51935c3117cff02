package dev.neuralsparse.flink;

import java.io.Serializable;
import java.util.LinkedHashMap;

/** A document with its sparse vector, or with the reason encoding failed ({@link #failed()}). */
public class EncodedDocument implements Serializable {
    private static final long serialVersionUID = 1L;

    public Document document;
    /** Token (or token id) -> weight, non-zero entries only. */
    public LinkedHashMap<String, Float> vector;
    public String error;

    public EncodedDocument() {}

    public static EncodedDocument encoded(Document document, LinkedHashMap<String, Float> vector) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
        e.vector = vector;
        return e;
    }

    public static EncodedDocument failed(Document document, String error) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
        e.error = error;
        return e;
    }

    public boolean failed() {
        return error != null;
    }
}
