package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The indexed rank_features answer a bool of linear rank_feature queries in dot-product order. */
class SearchITCase {
    private static StackClients clients;
    private static String index;
    private static Map<String, JsonNode> indexed;

    @BeforeAll
    static void indexCorpus() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        index = clients.createTopicWithDeadLetters("search", 1);
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 400);
        clients.produce(index, EnrichmentJobITCase.records(docs));
        JobRunner.runBounded(EnrichmentJobITCase.options(index, index + "-dlq", index), s -> s);
        indexed = clients.allDocuments(index);
        assertThat(indexed).hasSize(docs.size());
    }

    @Test
    void hitsComeInTheOrderOfTheDotProduct() throws Exception {
        Path model = Paths.get(EnrichmentJobITCase.model());
        IdfTable idf = IdfTable.read(model.resolve("idf.json"));
        List<String> queries = new ArrayList<>();
        for (String line : Files.readAllLines(Paths.get(System.getProperty("shared.dir", "../shared"))
                .resolve("data/cacm/queries.jsonl"))) {
            queries.add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("text").asText());
            if (queries.size() == 5) {
                break;
            }
        }
        try (QueryEncoder encoder = QueryEncoder.open(model, QueryEncoder.DEFAULT_MISSING_WEIGHT)) {
            for (String q : queries) {
                Map<String, Float> vector = encoder.encode(q, idf).toTokenMap(encoder.vocabulary());
                List<String> expected = bruteForce(vector, 10);
                JsonNode response = clients.opensearch("POST", index + "/_search",
                        SparseQueryBuilder.rankFeatures("sparse_embedding", vector, 10).toString());
                List<String> got = new ArrayList<>();
                List<Double> scores = new ArrayList<>();
                for (JsonNode hit : response.path("hits").path("hits")) {
                    got.add(hit.get("_id").asText());
                    scores.add(hit.get("_score").asDouble());
                }
                assertThat(got).as("top hits of '%s'", q).hasSize(10);
                // rank_features keep 9 significant bits: near-ties may swap, so compare scores
                for (int i = 0; i < got.size(); i++) {
                    double exact = dot(vector, indexed.get(got.get(i)));
                    assertThat(scores.get(i)).isCloseTo(exact, org.assertj.core.data.Percentage.withPercentage(1));
                    assertThat(exact).as("rank %d of '%s'", i, q)
                            .isCloseTo(dot(vector, indexed.get(expected.get(i))), org.assertj.core.data.Percentage.withPercentage(1));
                }
            }
        }
    }

    private static List<String> bruteForce(Map<String, Float> query, int k) {
        Map<String, Double> scores = new HashMap<>();
        indexed.forEach((id, doc) -> scores.put(id, dot(query, doc)));
        return scores.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(k).map(Map.Entry::getKey).toList();
    }

    private static double dot(Map<String, Float> query, JsonNode doc) {
        JsonNode vector = doc.get("sparse_embedding");
        double sum = 0;
        for (Map.Entry<String, Float> e : query.entrySet()) {
            JsonNode w = vector.get(e.getKey());
            if (w != null) {
                sum += w.doubleValue() * e.getValue();
            }
        }
        return sum;
    }
}
