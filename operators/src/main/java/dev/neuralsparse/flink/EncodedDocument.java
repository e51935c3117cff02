package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.Vocabulary;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What the encoding stage gives for one {@link Document}: its sparse vector (encoded now, or the
 * vector of the same text kept from an earlier version), a deletion to pass on, or the reason the
 * document cannot be encoded ({@link #failed()}).
 *
 * <p>The vector is kept as arrays, not as a map: the sink writes it straight into the bulk body,
 * and hundreds of boxed entries per document were a large part of the host path's cost. The
 * tokens that key a {@code rank_features} vector are not copied out per document either: the
 * record points at the encoder's {@link Vocabulary}, and only when it crosses the network does
 * {@link EncodedDocumentSerializer} write each token, which the other side reads into
 * {@link #tokens}.
 */
@TypeInfo(EncodedDocumentTypeInfo.Factory.class)
public class EncodedDocument implements Serializable {
    private static final long serialVersionUID = 4L;

    public Document document;
    /** Token ids in increasing order, with their positive weights; null for a deletion or a failure. */
    public int[] ids;
    public float[] weights;
    /**
     * Where the tokens of {@link #ids} come from, for fields keyed by token ({@code rank_features}),
     * in the task that encoded the document; null when keyed by id, and in a record read from the
     * network, which has {@link #tokens} instead. Shared and immutable, so never copied.
     */
    public transient Vocabulary vocabulary;
    /** The token of each entry, for a token-keyed vector read from the network; else null. */
    public String[] tokens;
    public String error;

    public EncodedDocument() {}

    /** Keys are the tokens of {@code vocabulary}, or the ids when it is null. */
    public static EncodedDocument encoded(Document document, SparseVector vector, Vocabulary vocabulary) {
        EncodedDocument e = new EncodedDocument();
        e.document = document;
        e.ids = new int[vector.size()];
        e.weights = new float[vector.size()];
        for (int i = 0; i < vector.size(); i++) {
            e.ids[i] = vector.id(i);
            e.weights[i] = vector.weight(i);
        }
        e.vocabulary = vocabulary;
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

    /** Java serialization (not Flink's) drops the vocabulary too, so it writes the tokens, as Flink's does. */
    private Object writeReplace() {
        if (vocabulary == null || ids == null) {
            return this;
        }
        EncodedDocument withTokens = new EncodedDocument();
        withTokens.document = document;
        withTokens.ids = ids;
        withTokens.weights = weights;
        withTokens.tokens = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            withTokens.tokens[i] = token(i);
        }
        withTokens.error = error;
        return withTokens;
    }

    /** True when the vector's keys are its tokens ({@code rank_features}), false when they are its ids. */
    public boolean keyedByToken() {
        return vocabulary != null || tokens != null;
    }

    /** The token of entry {@code i}; only when {@link #keyedByToken()}. */
    public String token(int i) {
        return vocabulary != null ? vocabulary.token(ids[i]) : tokens[i];
    }
}
