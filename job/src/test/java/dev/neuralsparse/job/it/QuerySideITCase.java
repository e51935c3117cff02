package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import static dev.neuralsparse.job.VectorAssertions.floats;

import dev.neuralsparse.job.pipeline.EnrichmentJob;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The query side path on a real Kafka and OpenSearch: vectors, IDF updates, search, dead letters. */
class QuerySideITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
    }

    private static byte[][] query(String id, String text) {
        return new byte[][] {id.getBytes(StandardCharsets.UTF_8),
                JSON.createObjectNode().put("id", id).put("text", text).toString().getBytes(StandardCharsets.UTF_8)};
    }

    private static Map<String, String> queryOptions(String prefix) throws Exception {
        Map<String, String> o = EnrichmentJobITCase.options(null, prefix + "-dlq", prefix);
        o.remove("topic");
        o.put("query-topic", prefix + "-queries");
        o.put("query-vectors-topic", prefix + "-vectors");
        for (String t : List.of("-dlq", "-queries", "-vectors")) {
            clients.createTopic(prefix + t, 1);
        }
        return o;
    }

    /** One record: List.of would spread the byte[][] into its rows. */
    private static List<byte[][]> one(byte[][] record) {
        List<byte[][]> l = new ArrayList<>();
        l.add(record);
        return l;
    }


    @Test
    void vectorsEqualTheReferenceAndMalformedQueriesAreDeadLettered() throws Exception {
        String prefix = StackClients.unique("q");
        Map<String, String> options = queryOptions(prefix);
        List<JsonNode> expected = new ArrayList<>();
        for (String line : Files.readAllLines(shared().resolve("models/expected_queries.jsonl"))) {
            expected.add(JSON.readTree(line));
        }
        List<byte[][]> records = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            records.add(query("q" + i, expected.get(i).get("text").asText()));
        }
        records.add(new byte[][] {"bad1".getBytes(), "{not json".getBytes()});
        records.add(new byte[][] {"bad2".getBytes(), "{\"id\": \"bad2\"}".getBytes()});
        records.add(new byte[][] {"bad3".getBytes(), "{\"id\": \"bad3\", \"text\": \"x\", \"k\": \"ten\"}".getBytes()});
        clients.produce(prefix + "-queries", records);

        JobRunner.runBounded(options, s -> s);

        Map<String, JsonNode> vectors = new HashMap<>();
        clients.consumeJson(prefix + "-vectors", expected.size(), Duration.ofSeconds(30))
                .forEach(v -> vectors.put(v.get("id").asText(), v));
        assertThat(vectors).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(floats(vectors.get("q" + i).get("vector"))).as("query %s", expected.get(i).get("text"))
                    .isEqualTo(floats(expected.get(i).get("query_vector")));
            assertThat(vectors.get("q" + i).get("idf_version").asLong()).isZero();
        }
        List<JsonNode> letters = clients.consumeJson(prefix + "-dlq", 3, Duration.ofSeconds(30));
        assertThat(letters).extracting(l -> l.get("reason").asText()).anyMatch(r -> r.contains("not valid JSON"))
                .anyMatch(r -> r.contains("no text")).anyMatch(r -> r.contains("\"k\" must be an integer"));
    }

    @Test
    void anIdfUpdateChangesQueriesAfterItNotBeforeAndSurvivesARestart() throws Exception {
        String prefix = StackClients.unique("idf");
        Map<String, String> options = queryOptions(prefix);
        options.put("idf-topic", prefix + "-idf");
        options.put("checkpoint-interval", "1s");
        clients.createTopic(prefix + "-idf", 1);
        Path savepoints = Files.createTempDirectory("savepoints");

        JobClient job = start(options, null);
        clients.produce(prefix + "-queries", one(query("before", "rainy new york")));
        JsonNode before = awaitVector(prefix, "before");
        clients.produce(prefix + "-idf", one(new byte[][] {null,
                "{\"version\": 1, \"weights\": {\"rainy\": 100.0}}".getBytes(StandardCharsets.UTF_8)}));
        JsonNode probe = null;
        for (int i = 0; probe == null || probe.get("vector").get("rainy").floatValue() != 100f; i++) {
            assertThat(i).as("the update reaches the query function").isLessThan(120);
            clients.produce(prefix + "-queries", one(query("probe-" + i, "rainy")));
            probe = awaitVector(prefix, "probe-" + i);
        }
        clients.produce(prefix + "-queries", one(query("after", "rainy new york")));
        JsonNode after = awaitVector(prefix, "after");

        assertThat(before.get("vector").get("rainy").floatValue()).isEqualTo(7.667640209197998f);
        assertThat(after.get("vector").get("rainy").floatValue()).isEqualTo(100f);
        assertThat(after.get("vector").get("york")).isEqualTo(before.get("vector").get("york"));
        assertThat(after.get("idf_version").asLong()).isEqualTo(1);

        String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(),
                org.apache.flink.core.execution.SavepointFormatType.CANONICAL).get();
        JobClient restarted = start(options, savepoint);
        clients.produce(prefix + "-queries", one(query("restarted", "rainy")));
        JsonNode afterRestart = awaitVector(prefix, "restarted");
        restarted.cancel().get();
        assertThat(afterRestart.get("vector").get("rainy").floatValue()).as("the table came back from the savepoint").isEqualTo(100f);
    }

    @Test
    void searchResultsFollowTheDotProduct() throws Exception {
        String prefix = clients.createTopicWithDeadLetters("s", 1);
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 300);
        clients.produce(prefix, EnrichmentJobITCase.records(docs));
        JobRunner.runBounded(EnrichmentJobITCase.options(prefix, prefix + "-dlq", prefix), s -> s);
        Map<String, JsonNode> indexed = clients.allDocuments(prefix);

        Map<String, String> options = queryOptions(prefix + "-qs");
        options.put("index", prefix);
        options.put("search", "true");
        options.put("results-topic", prefix + "-results");
        clients.createTopic(prefix + "-results", 1);
        List<byte[][]> queries = new ArrayList<>();
        // Real CACM queries: long enough to share tokens with the tiny random model's vectors.
        List<String> texts = new ArrayList<>();
        for (String line : Files.readAllLines(shared().resolve("data/cacm/queries.jsonl")).subList(0, 3)) {
            texts.add(JSON.readTree(line).get("text").asText());
        }
        for (int i = 0; i < texts.size(); i++) {
            queries.add(new byte[][] {null, JSON.createObjectNode().put("id", "s" + i).put("text", texts.get(i)).put("k", 5)
                    .toString().getBytes(StandardCharsets.UTF_8)});
        }
        clients.produce(prefix + "-qs-queries", queries);
        JobRunner.runBounded(options, s -> s);

        Map<String, JsonNode> vectors = new HashMap<>();
        clients.consumeJson(prefix + "-qs-vectors", texts.size(), Duration.ofSeconds(30)).forEach(v -> vectors.put(v.get("id").asText(), v));
        List<JsonNode> results = clients.consumeJson(prefix + "-results", texts.size(), Duration.ofSeconds(30));
        assertThat(results).hasSize(texts.size());
        for (JsonNode r : results) {
            Map<String, Float> q = floats(vectors.get(r.get("id").asText()).get("vector"));
            List<Double> exact = new ArrayList<>();
            indexed.values().forEach(d -> exact.add(dot(q, d)));
            exact.sort(Comparator.reverseOrder());
            JsonNode hits = r.get("hits");
            long matching = exact.stream().filter(x -> x > 0).count();
            assertThat(matching).as("documents sharing a token with query %s", r.get("id")).isPositive();
            assertThat(hits.size()).isEqualTo((int) Math.min(5, matching));
            for (int i = 0; i < hits.size(); i++) {
                double score = dot(q, indexed.get(hits.get(i).get("id").asText()));
                assertThat(score).as("rank %d of %s", i, r.get("id")).isCloseTo(exact.get(i), org.assertj.core.data.Percentage.withPercentage(1));
                assertThat(hits.get(i).get("score").asDouble()).isCloseTo(score, org.assertj.core.data.Percentage.withPercentage(1));
            }
        }
    }

    private static double dot(Map<String, Float> q, JsonNode doc) {
        double s = 0;
        for (Map.Entry<String, Float> e : q.entrySet()) {
            JsonNode w = doc.get("sparse_embedding").get(e.getKey());
            s += w == null ? 0 : w.doubleValue() * e.getValue();
        }
        return s;
    }

    private static JobClient start(Map<String, String> options, String savepoint) throws Exception {
        Configuration conf = Configuration.fromMap(options);
        if (savepoint != null) {
            conf.setString("execution.savepoint.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        new EnrichmentJob(conf).build(env);
        return env.executeAsync("query-side-it");
    }

    private static JsonNode awaitVector(String prefix, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode v : clients.consumeJson(prefix + "-vectors", Integer.MAX_VALUE, Duration.ofMillis(800))) {
                if (v.get("id").asText().equals(id)) {
                    return v;
                }
            }
        }
        throw new AssertionError("no vector for query " + id + " within 60 s");
    }

    private static Path shared() {
        return Paths.get(System.getProperty("shared.dir", "../shared")).toAbsolutePath().normalize();
    }
}
