package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.job.stack.FreePorts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Nothing is lost: bad records become dead letters, a crash resumes without duplicates. */
class DeadLettersAndRecoveryITCase {
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicWithTheirReasonAndGoodOnesAreIndexed() throws Exception {
        String topic = clients.createTopicWithDeadLetters("bad", 2);
        String dlq = topic + "-dlq";
        List<JsonNode> good = EnrichmentJobITCase.corpusSlice(0, 200);
        List<byte[][]> records = new ArrayList<>(EnrichmentJobITCase.records(good));
        char[] big = new char[10 << 20];
        Arrays.fill(big, 'a');
        records.add(80, new byte[][] {utf8("malformed"), utf8("{\"_id\": \"malformed\", \"title\": ")});
        records.add(90, new byte[][] {utf8("no-text"), utf8("{\"_id\": \"no-text\", \"author\": \"x\"}")});
        records.add(100, new byte[][] {utf8("number-text"), utf8("{\"_id\": \"number-text\", \"text\": 42}")});
        records.add(110, new byte[][] {utf8("huge"), utf8("{\"_id\": \"huge\", \"text\": \"" + new String(big) + "\"}")});
        records.add(120, new byte[][] {utf8("latin1"), new byte[] {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xE9, '"', '}'}});
        clients.produce(topic, records);

        JobRunner.runBounded(EnrichmentJobITCase.options(topic, dlq, topic), s -> s);

        Map<String, JsonNode> letters = clients.consumeJson(dlq, 5, Duration.ofSeconds(30)).stream()
                .collect(Collectors.toMap(l -> l.path("source").path("offset").asText() + "/" + reasonKey(l), l -> l));
        assertThat(letters).hasSize(5);
        Map<String, JsonNode> byReason = new HashMap<>();
        letters.values().forEach(l -> byReason.put(reasonKey(l), l));
        assertThat(byReason.get("json").get("reason").asText()).contains("not valid JSON");
        assertThat(byReason.get("json").get("value").asText()).isEqualTo("{\"_id\": \"malformed\", \"title\": ");
        assertThat(byReason.get("text").get("reason").asText()).contains("no text");
        assertThat(byReason.get("string").get("reason").asText()).contains("text field 'text' is a number");
        assertThat(byReason.get("size").get("reason").asText()).contains("exceeds the limit of 1048576 bytes");
        assertThat(byReason.get("size").get("value_truncated").asBoolean()).as("a dead letter always fits").isTrue();
        assertThat(byReason.get("size").get("value_bytes").asInt()).isGreaterThan(10 << 20);
        assertThat(byReason.get("utf8").get("reason").asText()).contains("not valid UTF-8");
        assertThat(byReason.get("utf8").get("value_base64").asText()).isNotEmpty();
        for (JsonNode l : letters.values()) {
            assertThat(l.get("stage").asText()).isEqualTo("parse");
            assertThat(l.path("source").path("topic").asText()).isEqualTo(topic);
        }
        assertThat(clients.allDocuments(topic)).hasSize(good.size());
    }

    @Test
    void aDocumentOpenSearchRejectsGoesToTheDeadLettersWithItsOriginal() throws Exception {
        String topic = clients.createTopicWithDeadLetters("rejected", 1);
        String dlq = topic + "-dlq";
        clients.opensearch("PUT", topic, "{\"mappings\": {\"properties\": {\"year\": {\"type\": \"integer\"},"
                + " \"sparse_embedding\": {\"type\": \"rank_features\"}}}}");
        List<JsonNode> good = EnrichmentJobITCase.corpusSlice(200, 250);
        List<byte[][]> records = new ArrayList<>(EnrichmentJobITCase.records(good));
        String bad = "{\"_id\": \"bad-year\", \"title\": \"A title\", \"year\": \"nineteen sixty\"}";
        records.add(20, new byte[][] {utf8("bad-year"), utf8(bad)});
        clients.produce(topic, records);

        JobRunner.runBounded(EnrichmentJobITCase.options(topic, dlq, topic), s -> s);

        List<JsonNode> letters = clients.consumeJson(dlq, 1, Duration.ofSeconds(30));
        assertThat(letters).hasSize(1);
        JsonNode letter = letters.get(0);
        assertThat(letter.get("stage").asText()).isEqualTo("index");
        assertThat(letter.get("document_id").asText()).isEqualTo("bad-year");
        assertThat(letter.get("reason").asText()).contains("OpenSearch rejected the document").contains("BAD_REQUEST");
        assertThat(letter.get("value").asText()).isEqualTo(bad);
        assertThat(letter.at("/source/offset").asLong()).isEqualTo(20);
        assertThat(clients.allDocuments(topic)).hasSize(good.size());
    }

    @Test
    void noRecordCanCrashOrStallTheJobEveryOneEndsIndexedOrDeadLettered() throws Exception {
        String topic = clients.createTopicWithDeadLetters("adversarial", 2);
        String dlq = topic + "-dlq";
        List<JsonNode> good = EnrichmentJobITCase.corpusSlice(300, 320);
        List<byte[][]> records = new ArrayList<>(EnrichmentJobITCase.records(good));
        String deepField = "{\"_id\": \"deep-field\", \"text\": \"t\", \"a\": " + "{\"a\": ".repeat(25) + "1"
                + "}".repeat(25) + "}";
        Map<String, String> dead = new HashMap<>();
        dead.put("nested", "nesting depth");
        dead.put("null-text", "no text");
        dead.put("root", "not a JSON object");
        dead.put("duplicate", "Duplicate field");
        dead.put("long-id", "longer than the 512 bytes OpenSearch accepts");
        dead.put("deep-field", "OpenSearch rejected the document");
        records.add(3, new byte[][] {utf8("nested"), utf8("{\"text\": \"t\", \"n\": " + "[".repeat(5000) + "]".repeat(5000) + "}")});
        records.add(5, new byte[][] {utf8("bom"), utf8("\uFEFF{\"_id\": \"bom\", \"text\": \"a byte-order mark first\"}")});
        records.add(7, new byte[][] {utf8("null-text"), utf8("{\"_id\": \"null-text\", \"text\": null}")});
        records.add(9, new byte[][] {utf8("root"), utf8("[\"not\", \"an\", \"object\"]")});
        records.add(11, new byte[][] {utf8("duplicate"), utf8("{\"_id\": \"duplicate\", \"text\": \"a\", \"text\": \"b\"}")});
        records.add(13, new byte[][] {utf8("long-id"), utf8("{\"_id\": \"" + "x".repeat(600) + "\", \"text\": \"t\"}")});
        records.add(15, new byte[][] {utf8("huge"), utf8("{\"_id\": \"huge\", \"text\": \""
                + "lorem ipsum dolor sit amet ".repeat(37_000) + "\"}")});
        records.add(17, new byte[][] {utf8("deep-field"), utf8(deepField)});
        clients.produce(topic, records);

        Map<String, String> options = EnrichmentJobITCase.options(topic, dlq, topic);
        options.put("long-docs", "chunked-max");
        JobRunner.runBounded(options, s -> s);

        Map<String, JsonNode> letters = new HashMap<>();
        for (JsonNode l : clients.consumeJson(dlq, dead.size(), Duration.ofSeconds(30))) {
            letters.put(keyOf(l, records), l);
        }
        assertThat(letters.keySet()).isEqualTo(dead.keySet());
        dead.forEach((key, reason) -> assertThat(letters.get(key).get("reason").asText()).as(key).contains(reason));
        Map<String, JsonNode> indexed = clients.allDocuments(topic);
        assertThat(indexed).hasSize(good.size() + 2).containsKeys("bom", "huge");
        assertThat(indexed.get("huge").get("sparse_embedding").size()).as("the whole text counts").isPositive();
    }

    /** The Kafka key of the record a dead letter names, by its offset in the partition it came from. */
    private static String keyOf(JsonNode letter, List<byte[][]> records) {
        String value = letter.path("value").asText();
        for (byte[][] r : records) {
            if (new String(r[1], StandardCharsets.UTF_8).startsWith(value.substring(0, Math.min(value.length(), 200)))) {
                return new String(r[0], StandardCharsets.UTF_8);
            }
        }
        return letter.toString();
    }

    private static String reasonKey(JsonNode letter) {
        String r = letter.path("reason").asText();
        if (r.contains("JSON")) {
            return "json";
        } else if (r.contains("no text")) {
            return "text";
        } else if (r.contains("not a string")) {
            return "string";
        } else if (r.contains("exceeds")) {
            return "size";
        } else if (r.contains("UTF-8")) {
            return "utf8";
        }
        return r;
    }

    @Test
    void aCrashMidStreamResumesFromTheCheckpointWithEachDocumentOnce() throws Exception {
        String topic = clients.createTopicWithDeadLetters("crash", 2);
        String dlq = topic + "-dlq";
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 600);
        clients.produce(topic, EnrichmentJobITCase.records(docs));
        FailOnce.reset();

        Map<String, String> options = EnrichmentJobITCase.options(topic, dlq, topic);
        options.put("checkpoint-interval", "1s");
        JobRunner.runBounded(options, s -> s.map(new FailOnce(300)).name("fail-once").uid("fail-once"));

        assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
        assertThat(FailOnce.SEEN.get()).as("documents replayed after the restart").isGreaterThan(docs.size());
        Map<String, JsonNode> indexed = clients.allDocuments(topic);
        JsonNode count = clients.opensearch("GET", topic + "/_count", null);
        assertThat(count.get("count").asInt()).isEqualTo(docs.size());
        assertThat(indexed).hasSize(docs.size());
        EnrichmentJobITCase.assertVectorsMatchEncoder(indexed, docs);
        assertThat(clients.consumeJson(dlq, 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void anUnreachableOpenSearchAtStartIsRetriedThenAClearError() throws Exception {
        int closed = FreePorts.next(); // free, and handed to no server of this JVM
        long start = System.nanoTime();
        assertThatThrownBy(() -> new IndexSetup("http://127.0.0.1:" + closed, Duration.ofSeconds(2))
                .ensure("any", "sparse_embedding", IndexSetup.Settings.defaults()))
                .hasMessageContaining("OpenSearch at http://127.0.0.1:" + closed + "/ is unavailable")
                .hasMessageContaining("after 2 s of retries");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anIndexWithAConflictingMappingIsAClearStartupError() throws Exception {
        String index = StackClients.unique("conflict");
        clients.opensearch("PUT", index, "{\"mappings\": {\"properties\": {\"sparse_embedding\": {\"type\": \"keyword\"}}}}");
        IndexSetup setup = new IndexSetup(TestStack.get().opensearchUrl(), Duration.ofSeconds(5));
        assertThatThrownBy(() -> setup.ensure(index, "sparse_embedding", IndexSetup.Settings.defaults()))
                .hasMessageContaining("already maps field 'sparse_embedding' as keyword");
        // an index without the field gets it added
        String plain = StackClients.unique("plain");
        clients.opensearch("PUT", plain, "{\"mappings\": {\"properties\": {\"title\": {\"type\": \"text\"}}}}");
        setup.ensure(plain, "sparse_embedding", IndexSetup.Settings.defaults());
        assertThat(clients.opensearch("GET", plain + "/_mapping", null).path(plain).path("mappings").path("properties")
                .path("sparse_embedding").path("type").asText()).isEqualTo("rank_features");
    }
}
