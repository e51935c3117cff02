package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fp16 path (the GPU's half precision) run on this CPU, whose libtorch 2.7.1 has half-precision
 * kernels for every op of the forward (none had to be left out), with the GPU's padded head:
 * against the reference's fp32 vectors, the same strongest tokens and every weight within an fp16
 * tolerance.
 */
class HalfPrecisionTest {
    /**
     * fp16 keeps 11 significant bits, and the errors of a forward pass add up: the worst seen on
     * these fixtures is 2.5e-3 absolute (a weight of 0.026 read as 0.023), so 5e-3 plus 2%.
     */
    private static final float RELATIVE = 2e-2f;
    private static final float ABSOLUTE = 5e-3f;

    @BeforeAll
    static void skipWithoutShared() {
        SharedFixtures.dir();
    }

    private static List<String> top(Map<String, Float> vector, int n) {
        return vector.entrySet().stream().sorted(Map.Entry.<String, Float>comparingByValue().reversed()).limit(n)
                .map(Map.Entry::getKey).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-distilbert", "tiny-bert"})
    void halfPrecisionKeepsTheTopTokensAndTheWeightsWithinTolerance(String model) {
        EncoderSpec spec = EncoderSpec.builder().setModel(SharedFixtures.model(model).toString())
                .setDevice(DeviceSpec.parse("auto")).setPrecision(Precision.FP16).build();
        try (SparseEncoder encoder = SparseEncoder.open(spec, new MaskedLanguageModel.Blocking(0, 1024, true))) {
            for (JsonNode doc : GoldenParityTest.expected(model)) {
                SparseVector actual = encoder.encode(doc.get("text").asText());
                Map<String, Float> got = actual.toTokenMap(encoder.vocabulary());
                Map<String, Float> expected = SharedFixtures.floatMap(doc.get("doc_vector"));
                assertThat(top(got, 10)).as("the strongest tokens").containsAll(top(expected, 5));
                expected.forEach((token, weight) -> assertThat(got.getOrDefault(token, 0f))
                        .as("weight of %s", token).isCloseTo(weight, org.assertj.core.data.Offset.offset(
                                ABSOLUTE + RELATIVE * weight)));
            }
        }
    }
}
