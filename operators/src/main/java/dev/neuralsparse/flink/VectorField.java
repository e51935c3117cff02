package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.Locale;

/**
 * The field type that holds the vectors. {@code rank_features} (token strings as keys) is exact
 * search on any OpenSearch. {@code sparse_vector} (OpenSearch 3.3+, neural-search plugin; token
 * ids as keys) is neural sparse ANN search with the SEISMIC method: it needs the index setting
 * {@code index.sparse: true}, which is fixed when the index is created. A null method parameter
 * leaves OpenSearch's default.
 */
public record VectorField(Type type, Integer nPostings, Float clusterRatio, Float summaryPruneRatio,
        Integer approximateThreshold) implements Serializable {

    public enum Type {
        RANK_FEATURES,
        SPARSE_VECTOR;

        public String mappingName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Type parse(String value) {
            for (Type t : values()) {
                if (t.mappingName().equals(value == null ? "" : value.trim().toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown field type '" + value + "'; expected rank_features or sparse_vector");
        }
    }

    public VectorField {
        check(nPostings == null || nPostings > 0, "n_postings must be positive, got " + nPostings);
        check(clusterRatio == null || (clusterRatio > 0 && clusterRatio < 1), "cluster_ratio must be in (0, 1), got "
                + clusterRatio);
        check(summaryPruneRatio == null || (summaryPruneRatio > 0 && summaryPruneRatio <= 1),
                "summary_prune_ratio must be in (0, 1], got " + summaryPruneRatio);
        check(approximateThreshold == null || approximateThreshold >= 0, "approximate_threshold must not be negative, got "
                + approximateThreshold);
    }

    public static VectorField rankFeatures() {
        return new VectorField(Type.RANK_FEATURES, null, null, null, null);
    }

    /** sparse_vector keys are token ids; rank_features keys are token strings. */
    public boolean tokenIdKeys() {
        return type == Type.SPARSE_VECTOR;
    }

    /** The field's mapping, e.g. {@code {"type": "sparse_vector", "method": {"name": "seismic", "parameters": {..}}}}. */
    public ObjectNode mapping() {
        ObjectNode field = JsonNodeFactory.instance.objectNode().put("type", type.mappingName());
        if (type == Type.SPARSE_VECTOR) {
            ObjectNode method = field.putObject("method").put("name", "seismic");
            ObjectNode parameters = method.putObject("parameters");
            putIfSet(parameters, "n_postings", nPostings);
            putIfSet(parameters, "cluster_ratio", clusterRatio);
            putIfSet(parameters, "summary_prune_ratio", summaryPruneRatio);
            putIfSet(parameters, "approximate_threshold", approximateThreshold);
            if (parameters.isEmpty()) {
                method.remove("parameters");
            }
        }
        return field;
    }

    /** What the index needs at creation for this field ({@code "index": {"sparse": true}} for sparse_vector). */
    public void addIndexSettings(ObjectNode settings) {
        if (type == Type.SPARSE_VECTOR) {
            settings.putObject("index").put("sparse", true);
        }
    }

    private static void putIfSet(ObjectNode node, String key, Number value) {
        if (value instanceof Integer i) {
            node.put(key, i);
        } else if (value instanceof Float f) {
            node.put(key, f);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
