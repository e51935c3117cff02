package dev.neuralsparse.encoder;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

/**
 * Inference-free query vectors of the neural-sparse doc-only models: the query's word pieces,
 * each distinct token once, special tokens dropped, weight = the token's IDF (a configurable
 * default, 1.0 as in OpenSearch, for a token missing from the table). Thread-safe.
 *
 * <pre>{@code
 * try (QueryEncoder queries = QueryEncoder.open(modelFolder)) {
 *     Map<String, Float> vector = queries.encode("what's the weather in ny now?").toTokenMap(queries.vocabulary());
 * }
 * }</pre>
 */
public final class QueryEncoder implements AutoCloseable {
    public static final float DEFAULT_MISSING_WEIGHT = 1.0f;
    static final List<String> REQUIRED_FILES = List.of("tokenizer.json", "idf.json");

    private final DocumentTokenizer tokenizer;
    private final float missingWeight;

    private QueryEncoder(DocumentTokenizer tokenizer, float missingWeight) {
        this.tokenizer = tokenizer;
        this.missingWeight = missingWeight;
    }

    /** Opens the tokenizer of a model folder; the IDF table is passed with each call, so it can change. */
    public static QueryEncoder open(Path folder, float missingWeight) {
        return new QueryEncoder(DocumentTokenizer.load(folder), missingWeight);
    }

    /** Resolves a folder or hub repo id, fetching only the tokenizer and the IDF table. */
    public static Path resolve(String model, ModelResolver resolver) {
        return resolver.resolve(model, REQUIRED_FILES);
    }

    public Vocabulary vocabulary() {
        return tokenizer.vocabulary();
    }

    /** The query vector of {@code text} under {@code idf}. */
    public SparseVector encode(String text, IdfTable idf) {
        if (text == null) {
            throw new IllegalArgumentException("query text must not be null");
        }
        Vocabulary vocabulary = tokenizer.vocabulary();
        long[] pieces = tokenizer.wordPieces(text);
        TreeMap<Integer, Float> weights = new TreeMap<>();
        int limit = Math.min(pieces.length, LongDocuments.MAX_WINDOW_PIECES); // as the model input is truncated
        for (int i = 0; i < limit; i++) {
            int id = (int) pieces[i];
            if (!vocabulary.isSpecial(id)) {
                weights.computeIfAbsent(id, k -> idf.get(vocabulary.token(k), missingWeight));
            }
        }
        return SparseVector.of(weights);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
