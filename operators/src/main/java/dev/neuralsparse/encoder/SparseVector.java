package dev.neuralsparse.encoder;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A document's or query's weights over the vocabulary: token ids in increasing order with their
 * positive weights. Immutable.
 */
public final class SparseVector implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final SparseVector EMPTY = new SparseVector(new int[0], new float[0]);

    private final int[] ids;
    private final float[] weights;

    private SparseVector(int[] ids, float[] weights) {
        this.ids = ids;
        this.weights = weights;
    }

    public static SparseVector empty() {
        return EMPTY;
    }

    /** Wraps ids (strictly increasing) and weights of equal length; copies neither. */
    static SparseVector ofSorted(int[] ids, float[] weights) {
        if (ids.length != weights.length) {
            throw new IllegalArgumentException("ids and weights differ in length");
        }
        return new SparseVector(ids, weights);
    }

    /** Copies strictly increasing ids and their weights, e.g. a vector kept in Flink state. */
    public static SparseVector copyOfSorted(int[] ids, float[] weights) {
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] <= ids[i - 1]) {
                throw new IllegalArgumentException("token ids must be strictly increasing");
            }
        }
        return ofSorted(ids.clone(), weights.clone());
    }

    /** From any id -> weight map; non-positive weights are left out. */
    public static SparseVector of(Map<Integer, Float> byId) {
        int[] ids = byId.entrySet().stream().filter(e -> e.getValue() > 0).mapToInt(Map.Entry::getKey).sorted().toArray();
        float[] weights = new float[ids.length];
        for (int i = 0; i < ids.length; i++) {
            weights[i] = byId.get(ids[i]);
        }
        return new SparseVector(ids, weights);
    }

    public int size() {
        return ids.length;
    }

    public int id(int i) {
        return ids[i];
    }

    public float weight(int i) {
        return weights[i];
    }

    /** The weight of token {@code id}, 0 when absent. */
    public float get(int id) {
        int at = Arrays.binarySearch(ids, id);
        return at >= 0 ? weights[at] : 0f;
    }

    /** Element-wise maximum: how window vectors of one long document are pooled. */
    public SparseVector max(SparseVector other) {
        int[] outIds = new int[ids.length + other.ids.length];
        float[] outWeights = new float[outIds.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < ids.length || j < other.ids.length) {
            if (j >= other.ids.length || (i < ids.length && ids[i] < other.ids[j])) {
                outIds[n] = ids[i];
                outWeights[n++] = weights[i++];
            } else if (i >= ids.length || other.ids[j] < ids[i]) {
                outIds[n] = other.ids[j];
                outWeights[n++] = other.weights[j++];
            } else {
                outIds[n] = ids[i];
                outWeights[n++] = Math.max(weights[i++], other.weights[j++]);
            }
        }
        return new SparseVector(Arrays.copyOf(outIds, n), Arrays.copyOf(outWeights, n));
    }

    /** Keys as token strings, for a {@code rank_features} field, in id order. */
    public LinkedHashMap<String, Float> toTokenMap(Vocabulary vocabulary) {
        LinkedHashMap<String, Float> map = new LinkedHashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            map.put(vocabulary.token(ids[i]), weights[i]);
        }
        return map;
    }

    /** Keys as token ids, for a {@code sparse_vector} field, in id order. */
    public LinkedHashMap<String, Float> toIdMap() {
        LinkedHashMap<String, Float> map = new LinkedHashMap<>(ids.length * 2);
        for (int i = 0; i < ids.length; i++) {
            map.put(Integer.toString(ids[i]), weights[i]);
        }
        return map;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector
                && Arrays.equals(ids, ((SparseVector) o).ids)
                && Arrays.equals(weights, ((SparseVector) o).weights);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ids) + Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "SparseVector{size=" + ids.length + "}";
    }
}
