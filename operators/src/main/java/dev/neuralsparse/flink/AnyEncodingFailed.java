package dev.neuralsparse.flink;

import java.io.Serializable;
import java.util.Collection;
import java.util.function.Predicate;

/** The async retry strategy's result predicate: retry while a document's encoding failed. */
public final class AnyEncodingFailed implements Predicate<Collection<EncodedDocument>>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean test(Collection<EncodedDocument> results) {
        return results.stream().anyMatch(EncodedDocument::failed);
    }
}
