package dev.neuralsparse.encoder;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * Pruning of a sparse vector with the semantics and validation of OpenSearch neural-search's
 * {@code sparse_encoding} processor ({@code prune_type} and {@code prune_ratio}):
 * <ul>
 *   <li>{@code top_k}: keep the k largest weights (k a positive integer);
 *   <li>{@code max_ratio}: keep weights {@code >= ratio * max} (ratio in [0, 1));
 *   <li>{@code alpha_mass}: keep the largest weights while their running sum stays
 *       {@code <= ratio * total} (ratio in [0, 1));
 *   <li>{@code abs_value}: keep weights {@code >= ratio} (ratio >= 0).
 * </ul>
 */
public record Pruning(Type type, float ratio) implements Serializable {

    public enum Type {
        NONE,
        TOP_K,
        MAX_RATIO,
        ALPHA_MASS,
        ABS_VALUE;

        String optionName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Pruning {
        if (type == null) {
            throw new IllegalArgumentException("prune type must be provided");
        }
        if (!isValid(type, ratio)) {
            throw new IllegalArgumentException("invalid prune ratio " + ratio + " for prune type "
                    + type.optionName() + ": " + validRange(type));
        }
    }

    public static Pruning none() {
        return new Pruning(Type.NONE, 0f);
    }

    /** Parses {@code none}, or {@code TYPE:RATIO} such as {@code top_k:64} or {@code max_ratio:0.1}. */
    public static Pruning parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return none();
        }
        int colon = t.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("pruning '" + text + "' must be none or TYPE:RATIO with TYPE one of "
                    + "top_k, max_ratio, alpha_mass, abs_value");
        }
        Type type = Arrays.stream(Type.values())
                .filter(v -> v != Type.NONE && v.optionName().equals(t.substring(0, colon)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown prune type '" + t.substring(0, colon)
                        + "' in '" + text + "'; expected top_k, max_ratio, alpha_mass or abs_value"));
        try {
            return new Pruning(type, Float.parseFloat(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prune ratio in '" + text + "' is not a number", e);
        }
    }

    static boolean isValid(Type type, float ratio) {
        switch (type) {
            case TOP_K:
                return ratio > 0 && ratio == Math.floor(ratio);
            case MAX_RATIO:
            case ALPHA_MASS:
                return ratio >= 0 && ratio < 1;
            case ABS_VALUE:
                return ratio >= 0;
            default:
                return true;
        }
    }

    private static String validRange(Type type) {
        switch (type) {
            case TOP_K:
                return "it must be a positive integer";
            case MAX_RATIO:
            case ALPHA_MASS:
                return "it must be in [0, 1)";
            default:
                return "it must be non-negative";
        }
    }

    /** The kept entries of {@code v} (whose weights are all positive). */
    public SparseVector apply(SparseVector v) {
        if (type == Type.NONE || v.size() == 0) {
            return v;
        }
        boolean[] keep = new boolean[v.size()];
        switch (type) {
            case TOP_K:
                keepTopK(v, (int) ratio, keep);
                break;
            case MAX_RATIO:
                keepAtLeast(v, ratio * maxWeight(v), keep);
                break;
            case ALPHA_MASS:
                keepAlphaMass(v, keep);
                break;
            default:
                keepAtLeast(v, ratio, keep);
        }
        return select(v, keep);
    }

    private static void keepTopK(SparseVector v, int k, boolean[] keep) {
        int[] order = byWeightDescending(v);
        for (int i = 0; i < Math.min(k, order.length); i++) {
            keep[order[i]] = true;
        }
    }

    private static void keepAtLeast(SparseVector v, float threshold, boolean[] keep) {
        for (int i = 0; i < v.size(); i++) {
            keep[i] = v.weight(i) >= threshold;
        }
    }

    private void keepAlphaMass(SparseVector v, boolean[] keep) {
        // The total in double and the running sum in float, as neural-search computes them, so
        // that borderline entries fall on the same side.
        double exact = 0;
        for (int i = 0; i < v.size(); i++) {
            exact += v.weight(i);
        }
        float total = (float) exact;
        float running = 0f;
        for (int i : byWeightDescending(v)) {
            running += v.weight(i);
            keep[i] = running <= ratio * total;
        }
    }

    private static float maxWeight(SparseVector v) {
        float max = 0f;
        for (int i = 0; i < v.size(); i++) {
            max = Math.max(max, v.weight(i));
        }
        return max;
    }

    /**
     * Positions of {@code v}'s entries by weight, largest first, equal weights in id order. Sorted
     * as primitive longs, not boxed positions with a comparator: this runs on the device thread
     * for every document, and a boxed sort of ~2,000 entries cost more there than the extraction.
     * A positive float's bits order as the float does, so the key is (MAX - bits, position).
     */
    private static int[] byWeightDescending(SparseVector v) {
        long[] keys = new long[v.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(v.weight(i))) << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            order[i] = (int) keys[i];
        }
        return order;
    }

    private static SparseVector select(SparseVector v, boolean[] keep) {
        int n = 0;
        for (boolean k : keep) {
            n += k ? 1 : 0;
        }
        int[] ids = new int[n];
        float[] weights = new float[n];
        for (int i = 0, j = 0; i < keep.length; i++) {
            if (keep[i]) {
                ids[j] = v.id(i);
                weights[j++] = v.weight(i);
            }
        }
        return SparseVector.ofSorted(ids, weights);
    }

    @Override
    public String toString() {
        return type == Type.NONE ? "none" : type.optionName() + ":" + ratio;
    }
}
