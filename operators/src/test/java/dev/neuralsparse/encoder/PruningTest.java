package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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
    void equalWeightsKeepTheLowerIds() {
        SparseVector ties = SparseVector.of(Map.of(7, 0.5f, 3, 0.5f, 9, 0.5f, 1, 0.2f));
        assertThat(idsOf(Pruning.parse("top_k:2").apply(ties))).containsExactly(3, 7);
        // descending with ties by id: 3, 7, 9, 1; running 0.5, 1.0, 1.5 against 0.6 * 1.7 = 1.02
        assertThat(idsOf(Pruning.parse("alpha_mass:0.6").apply(ties))).containsExactly(3, 7);
    }

    /** Against the obvious implementation (a stable sort of boxed positions) on dense random vectors with ties. */
    @Test
    void ordersAsAStableSortByWeightOnRandomVectors() {
        Random random = new Random(12);
        for (int round = 0; round < 200; round++) {
            Map<Integer, Float> byId = new TreeMap<>();
            int n = 1 + random.nextInt(3000);
            for (int i = 0; i < n; i++) {
                // few distinct weights, so that many tie; tiny and huge ones too
                float w = switch (random.nextInt(4)) {
                    case 0 -> (1 + random.nextInt(20)) / 8f;
                    case 1 -> Float.MIN_VALUE * (1 + random.nextInt(3));
                    case 2 -> random.nextFloat() * 1e30f + Float.MIN_NORMAL;
                    default -> random.nextFloat() + 1e-6f;
                };
                byId.put(random.nextInt(30522), w);
            }
            SparseVector v = SparseVector.of(byId);
            int k = 1 + random.nextInt(n);
            assertThat(idsOf(Pruning.parse("top_k:" + k).apply(v)))
                    .as("top_k:%d of %d", k, v.size()).isEqualTo(stableTopK(v, k));
        }
    }

    private static Set<Integer> idsOf(SparseVector v) {
        Set<Integer> ids = new TreeSet<>();
        for (int i = 0; i < v.size(); i++) {
            ids.add(v.id(i));
        }
        return ids;
    }

    private static Set<Integer> stableTopK(SparseVector v, int k) {
        Integer[] order = new Integer[v.size()];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(v.weight(b), v.weight(a)));
        Set<Integer> ids = new TreeSet<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            ids.add(v.id(order[i]));
        }
        return ids;
    }

    @Test
    void emptyVectorStaysEmpty() {
        assertThat(Pruning.parse("top_k:3").apply(SparseVector.empty()).size()).isZero();
    }
}
