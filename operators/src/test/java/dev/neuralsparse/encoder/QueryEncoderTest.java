package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class QueryEncoderTest {
    private static QueryEncoder queries;
    private static IdfTable idf;

    @BeforeAll
    static void open() {
        Path folder = SharedFixtures.model("tiny-distilbert");
        queries = QueryEncoder.open(folder, QueryEncoder.DEFAULT_MISSING_WEIGHT);
        idf = IdfTable.read(folder.resolve("idf.json"));
    }

    @AfterAll
    static void close() {
        queries.close();
    }

    @Test
    void matchesTheReferenceQueryVectors() {
        List<JsonNode> expected = SharedFixtures.jsonLines(SharedFixtures.dir().resolve("models/expected_queries.jsonl"));
        assertThat(expected).isNotEmpty();
        for (JsonNode q : expected) {
            Map<String, Float> got = queries.encode(q.get("text").asText(), idf).toTokenMap(queries.vocabulary());
            assertThat(got).as("query %s", q.get("text")).isEqualTo(SharedFixtures.floatMap(q.get("query_vector")));
        }
    }

    @Test
    void tokenizesAllGoldenQueriesLikeAnserini() throws IOException {
        List<String> lines = Files.readAllLines(SharedFixtures.dir().resolve("data/tokenizer/wordpiece_golden_queries.tsv"));
        DocumentTokenizer tokenizer = DocumentTokenizer.load(SharedFixtures.model("tiny-distilbert"));
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] cols = line.split("\t");
            long[] expected = Arrays.stream(cols[4].split(" ")).mapToLong(Long::parseLong).toArray();
            assertThat(tokenizer.sequences(cols[2], LongDocuments.truncate()).get(0))
                    .as("query %s %s", cols[1], cols[2])
                    .containsExactly(expected);
            checked++;
        }
        assertThat(checked).isEqualTo(1564);
        tokenizer.close();
    }

    @Test
    void dropsSpecialTokensAndKeepsEachTokenOnce() {
        Map<String, Float> v = queries.encode("[CLS] rainy rainy [MASK] new", idf).toTokenMap(queries.vocabulary());
        assertThat(v).containsOnlyKeys("rainy", "new");
        assertThat(v.get("rainy")).isEqualTo(idf.get("rainy", -1f));
    }

    @Test
    void givesTheDefaultWeightToTokensMissingFromTheTable() {
        IdfTable partial = IdfTable.of(Map.of("rainy", 2.5f), 1);
        QueryEncoder withDefault = QueryEncoder.open(SharedFixtures.model("tiny-distilbert"), 0.25f);
        Map<String, Float> v = withDefault.encode("rainy york", partial).toTokenMap(queries.vocabulary());
        assertThat(v).containsExactlyInAnyOrderEntriesOf(Map.of("rainy", 2.5f, "york", 0.25f));
        withDefault.close();
    }

    @Test
    void idfUpdatesMakeANewVersion() {
        IdfTable next = idf.merge(Map.of("rainy", 9f), 7);
        assertThat(next.version()).isEqualTo(7);
        assertThat(next.get("rainy", 0)).isEqualTo(9f);
        assertThat(idf.get("rainy", 0)).isNotEqualTo(9f);
        assertThat(next.size()).isEqualTo(idf.size());
        assertThatThrownBy(() -> idf.merge(Map.of("x", -1f), 8)).hasMessageContaining("'x'");
    }

    @Test
    void nullQueryIsAClearError() {
        assertThatThrownBy(() -> queries.encode(null, idf)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }
}
