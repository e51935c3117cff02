package dev.neuralsparse.encoder;

import java.util.List;

/**
 * A {@link DocumentEncoder} that hands every call to another one: subclass it to watch or change
 * one call (count documents, add a device fault in a test) and keep the rest as they are.
 */
public abstract class ForwardingDocumentEncoder implements DocumentEncoder {
    private final DocumentEncoder delegate;

    protected ForwardingDocumentEncoder(DocumentEncoder delegate) {
        this.delegate = delegate;
    }

    @Override
    public TokenizedDocument tokenize(String text) {
        return delegate.tokenize(text);
    }

    @Override
    public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
        return delegate.encodeTokenized(docs, tokenBudget);
    }

    @Override
    public EncoderSpec spec() {
        return delegate.spec();
    }

    @Override
    public Vocabulary vocabulary() {
        return delegate.vocabulary();
    }

    @Override
    public EncoderStats stats() {
        return delegate.stats();
    }

    @Override
    public long deviceMemoryUsed() {
        return delegate.deviceMemoryUsed();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
