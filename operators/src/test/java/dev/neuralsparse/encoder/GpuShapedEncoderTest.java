package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GPU's code path, run on this CPU: the head cut as a GPU cuts it (one padded matmul per block,
 * padding masked out of the max) against the reference vectors, in shuffled batches whose rows end
 * inside blocks, also with blocks small enough that a row spans several.
 */
class GpuShapedEncoderTest {
    @BeforeAll
    static void skipWithoutShared() {
        SharedFixtures.dir();
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-distilbert", "tiny-bert"})
    void thePaddedMaskedHeadGivesTheReferenceVectors(String model) {
        // The GPU's cut with smaller blocks (its 8,192 positions would allocate 1 GB of logits here).
        for (MaskedLanguageModel.Blocking blocking : List.of(new MaskedLanguageModel.Blocking(0, 1024, true),
                new MaskedLanguageModel.Blocking(0, 16, true))) {
            try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder()
                    .setModel(SharedFixtures.model(model).toString()).build(), blocking)) {
                List<JsonNode> docs = new ArrayList<>(GoldenParityTest.expected(model));
                Collections.shuffle(docs, new Random(blocking.headBlockTokens()));
                List<SparseVector> vectors = encoder.encode(docs.stream().map(d -> d.get("text").asText()).toList());
                for (int i = 0; i < docs.size(); i++) {
                    GoldenParityTest.assertMatches(docs.get(i), vectors.get(i), encoder.vocabulary());
                }
            }
        }
    }
}
