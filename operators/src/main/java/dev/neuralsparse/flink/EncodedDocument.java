package dev.neuralsparse.flink;

import java.io.Serializable;
import java.util.LinkedHashMap;

/**
 * What the encoding stage gives for one {@link Document}: its sparse vector (encoded now, or the
 * vector of the same text kept from an earlier version), a deletion to pass on,
 * or the reason the document cannot be encoded ({@link #failed()}).
 */
public class EncodedDocument implements Serializable {
    private static final long serialVersionUID = 2L;

    public Document document;
    /** Token (or token id) -> weight, non-zero entries only; null for a deletion or a failure. */
    public LinkedHashMap<String, Float> vector;
    public String error;

    public EncodedDocument() {}

    public static EncodedDocument encoded(Document document, LinkedHashMap<String, Float> vector) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
        e.vector = vector;
        return e;
    }

    public static EncodedDocument deletion(Document document) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
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
