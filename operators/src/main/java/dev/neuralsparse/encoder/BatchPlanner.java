package dev.neuralsparse.encoder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts sequences into forward passes: longest first, so that each batch pads to a length close to
 * all of its members, and as many per batch as fit under the token budget (batch size times the
 * longest length, i.e. the padded tokens the device computes).
 */
final class BatchPlanner {
    private BatchPlanner() {}

    /**
     * @param lengths the length of each sequence
     * @return batches of indices into {@code lengths}; each index appears exactly once
     */
    static List<int[]> plan(int[] lengths, int tokenBudget, int maxBatchSize) {
        Integer[] order = new Integer[lengths.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
        List<int[]> batches = new ArrayList<>();
        int start = 0;
        while (start < order.length) {
            int longest = lengths[order[start]];
            int fit = Math.max(1, Math.min(maxBatchSize, tokenBudget / Math.max(1, longest)));
            int end = Math.min(order.length, start + fit);
            int[] batch = new int[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = order[i];
            }
            batches.add(batch);
            start = end;
        }
        return batches;
    }
}
