package dev.neuralsparse.job.it;

import dev.neuralsparse.encoder.DocumentEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.EncoderStats;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.TokenizedDocument;
import dev.neuralsparse.encoder.Vocabulary;
import dev.neuralsparse.flink.EncoderFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The real encoder, counting the documents that reach its forward passes (MiniCluster: same JVM). */
final class CountingEncoders implements EncoderFactory {
    private static final long serialVersionUID = 1L;
    static final AtomicLong DOCUMENTS = new AtomicLong();

    @Override
    public DocumentEncoder open(EncoderSpec spec) {
        SparseEncoder real = SparseEncoder.open(spec);
        return new DocumentEncoder() {
            @Override
            public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
                List<SparseVector> out = real.encodeTokenized(docs, tokenBudget);
                DOCUMENTS.addAndGet(docs.size());
                return out;
            }

            @Override
            public TokenizedDocument tokenize(String text) {
                return real.tokenize(text);
            }

            @Override
            public EncoderSpec spec() {
                return real.spec();
            }

            @Override
            public Vocabulary vocabulary() {
                return real.vocabulary();
            }

            @Override
            public EncoderStats stats() {
                return real.stats();
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    /** Stable, so that the shared encoder of this factory is found again by every subtask. */
    @Override
    public String toString() {
        return "counting-encoders";
    }
}
