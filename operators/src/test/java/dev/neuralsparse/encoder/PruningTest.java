package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Hand-computed cases for each prune type, with neural-search's validation. */
class PruningTest {
    // ids 1..5 with weights 0.1 0.2 0.3 0.4 1.0: total 2.0, max 1.0
    private static final SparseVector V = SparseVector.of(
            Map.of(1, 0.1f, 2, 0.2f, 3, 0.3f, 4, 0.4f, 5, 1.0f));

    private static Map<Integer, Float> kept(Pruning p) {
        SparseVector out = p.apply(V);
        Map<Integer, Float> m = new TreeMap<>();
        for (int i = 0; i < out.size(); i++) {
            m.put(out.id(i), out.weight(i));
        }
        return m;
    }

    @Test
    void none() {
        assertThat(Pruning.parse("none").apply(V)).isEqualTo(V);
    }

    @Test
    void topK() {
        assertThat(kept(Pruning.parse("top_k:2")).keySet()).containsExactly(4, 5);
        assertThat(kept(Pruning.parse("top_k:10")).keySet()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void maxRatio() {
        // keep w >= 0.3 * 1.0
        assertThat(kept(Pruning.parse("max_ratio:0.3")).keySet()).containsExactly(3, 4, 5);
    }

    @Test
    void alphaMass() {
        // descending 1.0, 0.4, 0.3, 0.2, 0.1; running 1.0, 1.4, 1.7, 1.9, 2.0 against 0.7 * 2.0 = 1.4
        assertThat(kept(Pruning.parse("alpha_mass:0.7")).keySet()).containsExactly(4, 5);
        // 0.85 * 2.0 = 1.7: the third one still fits
        assertThat(kept(Pruning.parse("alpha_mass:0.85")).keySet()).containsExactly(3, 4, 5);
    }

    @Test
    void absValue() {
        assertThat(kept(Pruning.parse("abs_value:0.25")).keySet()).containsExactly(3, 4, 5);
        assertThat(kept(Pruning.parse("abs_value:0")).keySet()).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void validatesRatiosAsNeuralSearchDoes() {
        assertThatThrownBy(() -> Pruning.parse("top_k:0")).hasMessageContaining("positive integer");
        assertThatThrownBy(() -> Pruning.parse("top_k:1.5")).hasMessageContaining("positive integer");
        assertThatThrownBy(() -> Pruning.parse("max_ratio:1")).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> Pruning.parse("alpha_mass:-0.1")).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> Pruning.parse("abs_value:-1")).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> Pruning.parse("top_k")).hasMessageContaining("TYPE:RATIO");
        assertThatThrownBy(() -> Pruning.parse("top_p:3")).hasMessageContaining("unknown prune type 'top_p'");
        assertThatThrownBy(() -> Pruning.parse("top_k:x")).hasMessageContaining("not a number");
    }

    @Test
    void emptyVectorStaysEmpty() {
        assertThat(Pruning.parse("top_k:3").apply(SparseVector.empty()).size()).isZero();
    }
}
