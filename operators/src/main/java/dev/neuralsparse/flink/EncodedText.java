package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.SparseVector;

/**
 * The keyed state of one document id for skip-unchanged: a SHA-256 of the model identity and the
 * text last encoded for it, and that text's vector as token ids and weights. About
 * {@code 32 + 8 * non-zero tokens} bytes (some 2-3 KB for an abstract under doc-v2-distill).
 * A POJO, so Flink serializes it without Kryo.
 */
public class EncodedText {
    public byte[] hash;
    public int[] ids;
    public float[] weights;

    public EncodedText() {}

    static EncodedText of(byte[] hash, SparseVector vector) {
        EncodedText t = new EncodedText();
        t.hash = hash;
        t.ids = new int[vector.size()];
        t.weights = new float[vector.size()];
        for (int i = 0; i < vector.size(); i++) {
            t.ids[i] = vector.id(i);
            t.weights[i] = vector.weight(i);
        }
        return t;
    }

    SparseVector vector() {
        return SparseVector.copyOfSorted(ids, weights);
    }
}
