package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.Vocabulary;
import java.io.Serializable;

/**
 * What the encoding stage gives for one {@link Document}: its sparse vector (encoded now, or the
 * vector of the same text kept from an earlier version), a deletion to pass on, or the reason the
 * document cannot be encoded ({@link #failed()}).
 *
 * <p>The vector is kept as arrays, not as a map: the sink writes it straight into the bulk body,
 * and hundreds of boxed entries per document were a large part of the host path's cost.
 */
public class EncodedDocument implements Serializable {
    private static final long serialVersionUID = 3L;

    public Document document;
    /** Token ids in increasing order, with their positive weights; null for a deletion or a failure. */
    public int[] ids;
    public float[] weights;
    /** The token string of each id, for fields keyed by token ({@code rank_features}); null when keyed by id. */
    public String[] tokens;
    public String error;

    public EncodedDocument() {}

    /** Keys are the tokens of {@code vocabulary}, or the ids when it is null. */
    public static EncodedDocument encoded(Document document, SparseVector vector, Vocabulary vocabulary) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
        e.ids = new int[vector.size()];
        e.weights = new float[vector.size()];
        e.tokens = vocabulary == null ? null : new String[vector.size()];
        for (int i = 0; i < vector.size(); i++) {
            e.ids[i] = vector.id(i);
            e.weights[i] = vector.weight(i);
            if (vocabulary != null) {
                e.tokens[i] = vocabulary.token(e.ids[i]);
            }
        }
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

    /** Non-zero entries of the vector; 0 for a deletion or a failure. */
    public int size() {
        return ids == null ? 0 : ids.length;
    }
}
