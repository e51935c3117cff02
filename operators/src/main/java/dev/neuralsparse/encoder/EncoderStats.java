package dev.neuralsparse.encoder;

import java.util.concurrent.atomic.AtomicLong;

/** Running counters of the forward passes of one {@link SparseEncoder}, for metrics and benchmarks. */
public final class EncoderStats {
    private final AtomicLong forwards = new AtomicLong();
    private final AtomicLong sequences = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong paddedTokens = new AtomicLong();

    void record(int batchSequences, long batchTokens, long batchPaddedTokens) {
        forwards.incrementAndGet();
        sequences.addAndGet(batchSequences);
        tokens.addAndGet(batchTokens);
        paddedTokens.addAndGet(batchPaddedTokens);
    }

    public long forwards() {
        return forwards.get();
    }

    public long sequences() {
        return sequences.get();
    }

    /** Real tokens computed, special tokens included. */
    public long tokens() {
        return tokens.get();
    }

    /** Tokens computed including padding (batch size x longest length, summed over batches). */
    public long paddedTokens() {
        return paddedTokens.get();
    }

    /** Fraction of the computed tokens that were padding. */
    public double paddingRatio() {
        long padded = paddedTokens.get();
        return padded == 0 ? 0 : 1.0 - (double) tokens.get() / padded;
    }
}
