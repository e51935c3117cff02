package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.DocumentEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.ForwardingDocumentEncoder;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.TokenizedDocument;
import dev.neuralsparse.flink.EncoderFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The encoder {@code bench-pipeline} measures the host path with: the real tokenizer and model
 * load, but each forward pass replaced by the vectors the real encoder gave earlier in the same
 * run for the same token ids. The job then runs at the speed of its host path, not of a CPU
 * forward (tens of documents a second here), so that work that costs per second (timers, metrics,
 * polling) no longer shows as a large cost per document, and each stage's CPU per document is
 * what it would be in front of a fast device. A benchmark tool: a document it has not seen fails.
 */
enum ReplayedForward implements EncoderFactory {
    INSTANCE;

    /** Vectors by the token ids of every sequence of a document; the MiniCluster shares this JVM. */
    private static final Map<Key, SparseVector> VECTORS = new ConcurrentHashMap<>();

    private record Key(long[][] sequences) {
        static Key of(TokenizedDocument doc) {
            return new Key(doc.sequences().toArray(long[][]::new));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.deepEquals(sequences, k.sequences);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(sequences);
        }
    }

    /** Keeps each text's vector, as {@code encoder} encoded it, for the replays. */
    static void record(SparseEncoder encoder, List<String> texts, List<SparseVector> vectors) {
        for (int i = 0; i < texts.size(); i++) {
            VECTORS.put(Key.of(encoder.tokenize(texts.get(i))), vectors.get(i));
        }
    }

    @Override
    public DocumentEncoder open(EncoderSpec spec) {
        return new ForwardingDocumentEncoder(SparseEncoder.open(spec)) {
            @Override
            public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
                List<SparseVector> out = new ArrayList<>(docs.size());
                for (TokenizedDocument doc : docs) {
                    SparseVector v = VECTORS.get(Key.of(doc));
                    if (v == null) {
                        throw new IllegalStateException("bench-pipeline: no recorded vector for a document of "
                                + doc.tokenCount() + " tokens");
                    }
                    out.add(v);
                }
                return out;
            }
        };
    }

    @Override
    public String toString() {
        return "replayed-forward";
    }
}
