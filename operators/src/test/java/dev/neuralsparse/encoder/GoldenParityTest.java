package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The encoder against the reference implementation's vectors for the tiny DistilBERT and BERT
 * checkpoints in {@code ../shared/models}: same ids, same non-negligible tokens, every weight
 * within 1e-4, alone and in shuffled batches under several token budgets.
 */
class GoldenParityTest {
    private static final float TOLERANCE = 1e-4f;

    private static final java.util.Map<String, SparseEncoder> ENCODERS = new java.util.HashMap<>();

    @BeforeAll
    static void skipWithoutShared() {
        SharedFixtures.dir();
    }

    @AfterAll
    static void closeEncoders() {
        ENCODERS.values().forEach(SparseEncoder::close);
    }

    private static SparseEncoder encoder(String model, int budget) {
        return ENCODERS.computeIfAbsent(model + "@" + budget, k -> SparseEncoder.open(EncoderSpec.builder()
                .setModel(SharedFixtures.model(model).toString())
                .setTokenBudget(budget)
                .build()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-distilbert", "tiny-bert"})
    void tokenizesLikeTheReference(String model) {
        SparseEncoder encoder = encoder(model, EncoderSpec.DEFAULT_TOKEN_BUDGET);
        for (JsonNode doc : expected(model)) {
            TokenizedDocument tokenized = encoder.tokenize(doc.get("text").asText());
            assertThat(tokenized.sequences()).hasSize(1);
            assertThat(tokenized.sequences().get(0))
                    .as("ids of %s", abbreviate(doc))
                    .containsExactly(SharedFixtures.longs(doc.get("input_ids")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-distilbert", "tiny-bert", "tiny-distilbert-v3"})
    void encodesOneByOneLikeTheReference(String model) {
        SparseEncoder encoder = encoder(model, EncoderSpec.DEFAULT_TOKEN_BUDGET);
        for (JsonNode doc : expected(model)) {
            assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 2048, 1 << 20})
    void encodesShuffledBatchesLikeTheReference(int budget) {
        for (String model : List.of("tiny-distilbert", "tiny-bert")) {
            SparseEncoder encoder = encoder(model, budget);
            List<JsonNode> docs = new ArrayList<>(expected(model));
            Collections.shuffle(docs, new Random(budget));
            List<SparseVector> vectors =
                    encoder.encode(docs.stream().map(d -> d.get("text").asText()).collect(Collectors.toList()));
            assertThat(vectors).hasSameSizeAs(docs);
            for (int i = 0; i < docs.size(); i++) {
                assertMatches(docs.get(i), vectors.get(i), encoder.vocabulary());
            }
        }
    }

    static void assertMatches(JsonNode doc, SparseVector actual, Vocabulary vocabulary) {
        Map<String, Float> expected = SharedFixtures.floatMap(doc.get("doc_vector"));
        Map<String, Float> got = actual.toTokenMap(vocabulary);
        assertThat(significant(got)).as("tokens of %s", abbreviate(doc)).isEqualTo(significant(expected));
        for (Map.Entry<String, Float> e : expected.entrySet()) {
            assertThat(got.getOrDefault(e.getKey(), 0f))
                    .as("weight of '%s' in %s", e.getKey(), abbreviate(doc))
                    .isCloseTo(e.getValue(), org.assertj.core.data.Offset.offset(TOLERANCE));
        }
        for (Map.Entry<String, Float> e : got.entrySet()) {
            assertThat(e.getValue()).as("weight of '%s' in %s", e.getKey(), abbreviate(doc)).isPositive();
            if (!expected.containsKey(e.getKey())) {
                assertThat(e.getValue()).isLessThan(TOLERANCE);
            }
        }
    }

    private static Set<String> significant(Map<String, Float> vector) {
        return vector.entrySet().stream()
                .filter(e -> e.getValue() >= TOLERANCE)
                .map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static List<JsonNode> expected(String model) {
        return SharedFixtures.jsonLines(SharedFixtures.model(model).resolve("expected_docs.jsonl"));
    }

    private static String abbreviate(JsonNode doc) {
        String text = doc.get("text").asText();
        return "'" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
    }
}
