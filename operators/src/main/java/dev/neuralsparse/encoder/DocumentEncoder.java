package dev.neuralsparse.encoder;

import java.util.List;

/**
 * What {@link BatchingEncoder} drives: tokenization (thread-safe, any thread) and forward passes
 * (one thread, which owns the device). {@link SparseEncoder} is the real one; a test can wrap it
 * to make the device fail the way a GPU does (out of memory, a broken context) without faking
 * anything else.
 */
public interface DocumentEncoder extends AutoCloseable {

    /** Text to model inputs; throws {@link UnencodableDocumentException} for a text it refuses. */
    TokenizedDocument tokenize(String text);

    /** Encodes in forward passes of at most {@code tokenBudget} padded tokens; input order kept. */
    List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget);

    EncoderSpec spec();

    Vocabulary vocabulary();

    EncoderStats stats();

    /** Bytes of device memory in use where the engine reports it (CUDA), else -1. */
    default long deviceMemoryUsed() {
        return -1;
    }

    @Override
    void close();
}
