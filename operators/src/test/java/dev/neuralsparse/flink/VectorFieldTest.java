package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sparse_vector mode's JSON against the shapes OpenSearch documents (sparse_vector field type
 * and neural sparse ANN search, 3.3+). The neural-search plugin is not on this machine's OpenSearch,
 * so this is checked as data, not against a server.
 */
class VectorFieldTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aSparseVectorIndexIsCreatedWithIndexSparseAndASeismicMethod() throws Exception {
        VectorField field = new VectorField(VectorField.Type.SPARSE_VECTOR, 300, 0.1f, 0.4f, 1_000_000);
        JsonNode body = IndexSetup.createBody("sparse_embedding", new IndexSetup.Settings(2, 1, "1s", field));
        assertThat(body.at("/settings/index/sparse").asBoolean()).isTrue();
        assertThat(body.at("/settings/number_of_shards").asInt()).isEqualTo(2);
        assertThat(asSent(body.at("/mappings/properties/sparse_embedding"))).isEqualTo(JSON.readTree("{\"type\": \"sparse_vector\","
                + " \"method\": {\"name\": \"seismic\", \"parameters\": {\"n_postings\": 300, \"cluster_ratio\": 0.1,"
                + " \"summary_prune_ratio\": 0.4, \"approximate_threshold\": 1000000}}}"));
        assertThat(field.tokenIdKeys()).isTrue();

        JsonNode defaults = new VectorField(VectorField.Type.SPARSE_VECTOR, null, null, null, null).mapping();
        assertThat(asSent(defaults)).isEqualTo(JSON.readTree("{\"type\": \"sparse_vector\", \"method\": {\"name\": \"seismic\"}}"));
    }

    /** The JSON as OpenSearch receives it: text, parsed again (node types of numbers do not matter). */
    private static JsonNode asSent(JsonNode node) throws Exception {
        return JSON.readTree(node.toString());
    }

    @Test
    void rankFeaturesStaysAsItWasAndBadParametersAreRefused() {
        JsonNode body = IndexSetup.createBody("v", IndexSetup.Settings.defaults());
        assertThat(body.at("/mappings/properties/v/type").asText()).isEqualTo("rank_features");
        assertThat(body.at("/settings/index").isMissingNode()).isTrue();
        assertThatThrownBy(() -> new VectorField(VectorField.Type.SPARSE_VECTOR, null, 1.5f, null, null))
                .hasMessageContaining("cluster_ratio must be in (0, 1)");
        assertThatThrownBy(() -> VectorField.Type.parse("dense_vector")).hasMessageContaining("rank_features or sparse_vector");
    }

    @Test
    void theAnnQueryCarriesTokenIdsAndMethodParameters() throws Exception {
        Map<String, Float> vector = new LinkedHashMap<>();
        vector.put("1055", 5.5f);
        vector.put("2931", 4.25f);
        Map<String, Number> method = new LinkedHashMap<>();
        method.put("top_n", 10);
        method.put("heap_factor", 1.0f);
        method.put("k", 10);
        assertThat(asSent(SparseQueryBuilder.neuralSparse("sparse_embedding", vector, 10, method))).isEqualTo(JSON.readTree(
                "{\"size\": 10, \"query\": {\"neural_sparse\": {\"sparse_embedding\": {\"query_tokens\": {\"1055\": 5.5,"
                        + " \"2931\": 4.25}, \"method_parameters\": {\"top_n\": 10, \"heap_factor\": 1.0, \"k\": 10}}}}}"));
        assertThat(SparseQueryBuilder.neuralSparse("f", vector, 3).at("/query/neural_sparse/f").has("method_parameters"))
                .isFalse();
    }
}
