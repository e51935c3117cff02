package dev.neuralsparse.job.it;

import ai.djl.engine.EngineException;
import dev.neuralsparse.encoder.DocumentEncoder;
import dev.neuralsparse.encoder.ForwardingDocumentEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.TokenizedDocument;
import dev.neuralsparse.flink.EncoderFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real encoder behind a device the test controls, through the encoder's own interface: it
 * counts the documents that reach forward passes (the MiniCluster runs in this JVM), and can run
 * out of memory above {@code memoryTokens} padded tokens per forward, be broken (every forward
 * fails as a lost CUDA context does), or be slow.
 */
final class TestEncoders implements EncoderFactory {
    private static final long serialVersionUID = 1L;
    static final AtomicLong DOCUMENTS = new AtomicLong();

    private final int memoryTokens;
    private final boolean broken;
    private final long slowMillis;

    private TestEncoders(int memoryTokens, boolean broken, long slowMillis) {
        this.memoryTokens = memoryTokens;
        this.broken = broken;
        this.slowMillis = slowMillis;
    }

    static TestEncoders counting() {
        return new TestEncoders(Integer.MAX_VALUE, false, 0);
    }

    static TestEncoders withMemoryFor(int tokens) {
        return new TestEncoders(tokens, false, 0);
    }

    static TestEncoders broken() {
        return new TestEncoders(Integer.MAX_VALUE, true, 0);
    }

    static TestEncoders slow(long millis) {
        return new TestEncoders(Integer.MAX_VALUE, false, millis);
    }

    @Override
    public DocumentEncoder open(EncoderSpec spec) {
        return new ForwardingDocumentEncoder(SparseEncoder.open(spec)) {
            @Override
            public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
                if (broken) {
                    throw new EngineException("CUDA error: an illegal memory access was encountered");
                }
                int longest = docs.stream().flatMap(d -> d.sequences().stream()).mapToInt(s -> s.length).max().orElse(0);
                long sequences = docs.stream().mapToLong(d -> d.sequences().size()).sum();
                if (Math.min(tokenBudget, longest * sequences) > memoryTokens) {
                    throw new EngineException("CUDA out of memory. Tried to allocate 1.50 GiB");
                }
                sleep(slowMillis);
                List<SparseVector> out = super.encodeTokenized(docs, tokenBudget);
                DOCUMENTS.addAndGet(docs.size());
                return out;
            }
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stable and distinct per behaviour: the key under which subtasks share the encoder. */
    @Override
    public String toString() {
        return "test-encoders(memory=" + memoryTokens + ", broken=" + broken + ", slow=" + slowMillis + ")";
    }
}
