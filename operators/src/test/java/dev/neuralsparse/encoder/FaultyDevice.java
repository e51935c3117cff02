package dev.neuralsparse.encoder;

import ai.djl.engine.EngineException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real encoder behind a device that fails as a GPU does: a forward pass over more padded
 * tokens than {@code memoryTokens} throws the engine's out-of-memory error (a budget/limit hook,
 * so the out-of-memory path runs on CPU), and after {@link #breakContext()} every forward throws
 * the error of a broken CUDA context. Tokenization and the math are the real ones.
 */
public final class FaultyDevice extends ForwardingDocumentEncoder {
    private final int memoryTokens;
    private volatile boolean broken;
    private volatile long slowMillis;
    final AtomicInteger outOfMemory = new AtomicInteger();
    final AtomicInteger forwardDocuments = new AtomicInteger();

    public FaultyDevice(SparseEncoder real, int memoryTokens) {
        super(real);
        this.memoryTokens = memoryTokens;
    }

    public void breakContext() {
        broken = true;
    }

    /** Every forward pass takes at least this long, as on an overloaded device. */
    public void slowDown(long millis) {
        slowMillis = millis;
    }

    @Override
    public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
        if (broken) {
            throw new EngineException("CUDA error: an illegal memory access was encountered");
        }
        if (largestForward(docs, tokenBudget) > memoryTokens) {
            outOfMemory.incrementAndGet();
            throw new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 15.78 GiB total capacity)");
        }
        try {
            Thread.sleep(slowMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        forwardDocuments.addAndGet(docs.size());
        return super.encodeTokenized(docs, tokenBudget);
    }

    /** The padded tokens of the largest forward pass the planner makes of {@code docs}. */
    private static long largestForward(List<TokenizedDocument> docs, int tokenBudget) {
        int[] lengths = docs.stream().flatMap(d -> d.sequences().stream()).mapToInt(s -> s.length).toArray();
        long largest = 0;
        for (int[] batch : BatchPlanner.plan(lengths, tokenBudget, Integer.MAX_VALUE)) {
            int longest = 0;
            for (int i : batch) {
                longest = Math.max(longest, lengths[i]);
            }
            largest = Math.max(largest, (long) longest * batch.length);
        }
        return largest;
    }
}
