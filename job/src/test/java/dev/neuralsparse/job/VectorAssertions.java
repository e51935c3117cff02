package dev.neuralsparse.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Sparse vectors compared as the golden tests compare them: the same tokens above a tolerance, each weight close. */
public final class VectorAssertions {
    private VectorAssertions() {}

    /**
     * The tokens weighing at least {@code tolerance} are the same, and every expected weight is
     * matched within {@code max(tolerance, relative * weight)}.
     */
    public static void assertClose(Map<String, Float> actual, Map<String, Float> expected, double tolerance,
            double relative, String what) {
        assertThat(significant(actual, tolerance)).as("tokens of %s", what).isEqualTo(significant(expected, tolerance));
        for (Map.Entry<String, Float> e : expected.entrySet()) {
            float have = actual.getOrDefault(e.getKey(), 0f);
            assertThat((double) Math.abs(have - e.getValue())).as("weight of '%s' in %s", e.getKey(), what)
                    .isLessThanOrEqualTo(Math.max(tolerance, relative * e.getValue()));
        }
    }

    /** A JSON object token -> number as a map. */
    public static Map<String, Float> floats(JsonNode object) {
        Map<String, Float> m = new HashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().floatValue()));
        return m;
    }

    private static Set<String> significant(Map<String, Float> v, double tolerance) {
        Set<String> out = new TreeSet<>();
        v.forEach((k, w) -> {
            if (w >= tolerance) {
                out.add(k);
            }
        });
        return out;
    }
}
