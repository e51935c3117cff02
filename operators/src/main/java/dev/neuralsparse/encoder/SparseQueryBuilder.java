package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * OpenSearch query JSON for a query vector against a {@code rank_features} field, in two forms:
 * <ul>
 *   <li>{@link #rankFeatures}: a bool of {@code rank_feature} queries with the linear function and
 *       boost = query weight, whose score is exactly the dot product; works on any OpenSearch
 *       with mapper-extras;
 *   <li>{@link #neuralSparse}: the neural-search plugin's {@code neural_sparse} query with
 *       {@code query_tokens}, where that plugin is installed; against a {@code sparse_vector}
 *       field (ANN search) with token ids as keys and {@code method_parameters}.
 * </ul>
 */
public final class SparseQueryBuilder {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SparseQueryBuilder() {}

    /** {@code {"size": k, "query": {"bool": {"should": [rank_feature ...]}}}}. */
    public static ObjectNode rankFeatures(String field, Map<String, Float> vector, int k) {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", k);
        ArrayNode should = body.putObject("query").putObject("bool").putArray("should");
        for (Map.Entry<String, Float> e : vector.entrySet()) {
            ObjectNode feature = should.addObject().putObject("rank_feature");
            feature.put("field", field + "." + e.getKey());
            feature.putObject("linear");
            feature.put("boost", e.getValue());
        }
        return body;
    }

    /** {@code {"size": k, "query": {"neural_sparse": {field: {"query_tokens": {...}}}}}}. */
    public static ObjectNode neuralSparse(String field, Map<String, Float> vector, int k) {
        return neuralSparse(field, vector, k, null);
    }

    /**
     * The same against a {@code sparse_vector} field (neural sparse ANN search, OpenSearch 3.3+):
     * {@code vector} keyed by token id, and {@code methodParameters} such as {@code top_n},
     * {@code heap_factor} and {@code k} in {@code "method_parameters"} (none when null or empty).
     */
    public static ObjectNode neuralSparse(String field, Map<String, Float> vector, int k, Map<String, Number> methodParameters) {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", k);
        ObjectNode query = body.putObject("query").putObject("neural_sparse").putObject(field);
        ObjectNode tokens = query.putObject("query_tokens");
        vector.forEach(tokens::put);
        if (methodParameters != null && !methodParameters.isEmpty()) {
            ObjectNode parameters = query.putObject("method_parameters");
            methodParameters.forEach((name, value) -> {
                if (value instanceof Integer || value instanceof Long) {
                    parameters.put(name, value.longValue());
                } else {
                    parameters.put(name, value.doubleValue());
                }
            });
        }
        return body;
    }
}
