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
 *       {@code query_tokens}, where that plugin is installed.
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
        ObjectNode body = JSON.createObjectNode();
        body.put("size", k);
        ObjectNode tokens = body.putObject("query").putObject("neural_sparse").putObject(field).putObject("query_tokens");
        vector.forEach(tokens::put);
        return body;
    }
}
