package dev.neuralsparse.job.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.neuralsparse.flink.VectorField;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** How the job's options combine, without a cluster. */
class EnrichmentJobTest {
    private static EnrichmentJob job(Map<String, String> extra) {
        Map<String, String> o = new HashMap<>(Map.of("topic", "docs", "dlq-topic", "dlq", "index", "idx", "model", "m"));
        o.putAll(extra);
        return new EnrichmentJob(Configuration.fromMap(o));
    }

    @Test
    void aSparseVectorFieldTakesTokenIdKeysAndRefusesTokenKeysSaidOutright() {
        EnrichmentJob sparse = job(Map.of("field-type", "sparse_vector", "seismic-n-postings", "300"));
        assertThat(sparse.vectorField().type()).isEqualTo(VectorField.Type.SPARSE_VECTOR);
        assertThat(sparse.vectorField().nPostings()).isEqualTo(300);
        assertThat(sparse.encodingStage().tokenKeys()).isFalse();
        assertThatThrownBy(() -> job(Map.of("field-type", "sparse_vector", "keys", "tokens")).encodingStage())
                .hasMessageContaining("sparse_vector takes token ids as keys");
        assertThat(job(Map.of()).encodingStage().tokenKeys()).isTrue();
        assertThat(job(Map.of("keys", "ids")).encodingStage().tokenKeys()).isFalse();
    }
}
