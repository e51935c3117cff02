package dev.neuralsparse.encoder;

/**
 * The token budget the batcher uses now: the configured one until the device runs out of memory,
 * then half the padded tokens of the batch that failed (never below one full window), and back up
 * by a quarter after every {@code recoverAfter} batches in a row that succeed, up to the
 * configured budget. Used by the device thread only.
 */
final class AdaptiveTokenBudget {
    private final int configured;
    private final int minimum;
    private final int recoverAfter;
    private int current;
    private int successes;

    AdaptiveTokenBudget(int configured, int minimum, int recoverAfter) {
        this.configured = configured;
        this.minimum = Math.min(minimum, configured);
        this.recoverAfter = recoverAfter;
        this.current = configured;
    }

    int current() {
        return current;
    }

    boolean atMinimum() {
        return current <= minimum;
    }

    /** The device ran out of memory on a batch of {@code paddedTokens}. */
    void onOutOfMemory(long paddedTokens) {
        current = (int) Math.max(minimum, Math.min(current, paddedTokens) / 2);
        successes = 0;
    }

    void onSuccess() {
        if (current < configured && ++successes >= recoverAfter) {
            current = Math.min(configured, current + Math.max(1, current / 4));
            successes = 0;
        }
    }
}
