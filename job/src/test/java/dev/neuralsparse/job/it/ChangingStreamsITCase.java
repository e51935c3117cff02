package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.job.VectorAssertions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Streams that update and delete: whatever the partitions, parallelism, restarts and replays, the
 * index ends as exactly the last record of each key, and unchanged text is not encoded again.
 */
class ChangingStreamsITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int IDS = 24;
    private static StackClients clients;
    private static SparseEncoder encoder;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        encoder = SparseEncoder.open(EncoderSpec.builder().setModel(EnrichmentJobITCase.model()).build());
    }

    @AfterAll
    static void stop() {
        if (encoder != null) {
            encoder.close();
        }
    }

    /** A seeded history of each id's records, interleaved across ids, and what must be left of it. */
    private static final class History {
        final List<byte[][]> records = new ArrayList<>();
        /** id -> the last record's JSON, or absent when the last record deleted it. */
        final Map<String, ObjectNode> expected = new LinkedHashMap<>();
        /** Records whose text differs from the text the id last had encoded (state cleared by a delete). */
        int encodes;

        History(long seed) {
            Random random = new Random(seed);
            List<JsonNode> texts = EnrichmentJobITCase.corpusSlice(0, 300);
            List<List<Object>> perId = new ArrayList<>();
            for (int i = 0; i < IDS; i++) {
                String id = "u" + i;
                List<Object> ops = new ArrayList<>();
                String text = null;
                String encodedText = null;
                int steps = 2 + random.nextInt(6);
                for (int step = 0; step < steps; step++) {
                    int kind = random.nextInt(10);
                    if (text != null && kind < 2) {
                        ops.add(kind == 0 ? "tombstone:" + id : "marker:" + id);
                        text = null;
                        encodedText = null;
                        continue;
                    }
                    if (text == null || kind < 6) {
                        text = texts.get(random.nextInt(texts.size())).path("title").asText();
                    }
                    ObjectNode doc = JSON.createObjectNode().put("id", id).put("title", text).put("rev", step);
                    if (random.nextBoolean()) {
                        doc.put("tag_" + step, "only in revision " + step); // a field later versions lack
                    }
                    if (!text.equals(encodedText)) {
                        encodes++;
                        encodedText = text;
                    }
                    ops.add(doc);
                }
                perId.add(ops);
            }
            add("tombstone:never-indexed"); // deleting an id that is not there is fine
            for (int step = 0; step < 8; step++) {
                for (List<Object> ops : perId) {
                    if (step < ops.size()) {
                        add(ops.get(step));
                    }
                }
            }
        }

        private void add(Object op) {
            if (op instanceof ObjectNode doc) {
                String id = doc.get("id").asText();
                records.add(new byte[][] {utf8(id), utf8(doc.toString())});
                expected.put(id, doc);
            } else {
                String[] parts = ((String) op).split(":");
                records.add(new byte[][] {utf8(parts[1]),
                        parts[0].equals("tombstone") ? null : utf8("{\"id\": \"" + parts[1] + "\", \"deleted\": true}")});
                expected.remove(parts[1]);
            }
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> options(String topic) {
        Map<String, String> o = EnrichmentJobITCase.options(topic, topic + "-dlq", topic);
        o.put("text-fields", "title;text");
        o.put("delete-field", "deleted");
        o.put("parallelism", "2");
        return o;
    }

    private void assertIndexHoldsExactlyTheLastRecords(String index, History history) throws Exception {
        Map<String, JsonNode> indexed = clients.allDocuments(index);
        assertThat(indexed.keySet()).isEqualTo(history.expected.keySet());
        for (Map.Entry<String, ObjectNode> e : history.expected.entrySet()) {
            ObjectNode fields = ((ObjectNode) indexed.get(e.getKey())).deepCopy();
            JsonNode vector = fields.remove("sparse_embedding");
            assertThat(fields).as("fields of %s", e.getKey()).isEqualTo(e.getValue());
            VectorAssertions.assertClose(VectorAssertions.floats(vector),
                    encoder.encode(e.getValue().get("title").asText()).toTokenMap(encoder.vocabulary()), 1e-4, 0.005,
                    e.getKey());
        }
    }

    @Test
    void theIndexEndsAsTheLastRecordOfEachKeyAndUnchangedTextIsNotEncodedAgain() throws Exception {
        History history = new History(8);
        String topic = clients.createTopicWithDeadLetters("changes", 3);
        clients.produce(topic, history.records);
        long before = TestEncoders.DOCUMENTS.get();

        JobRunner.runBounded(options(topic), s -> s, TestEncoders.counting());

        assertIndexHoldsExactlyTheLastRecords(topic, history);
        assertThat(TestEncoders.DOCUMENTS.get() - before).as("documents that reached the encoder")
                .isEqualTo(history.encodes);
        assertThat(history.encodes).as("the history has metadata-only updates").isLessThan(
                (int) history.records.stream().filter(r -> r[1] != null && !new String(r[1]).contains("deleted")).count());
        assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).isEmpty();

        // A replay of the whole topic into the populated index (a new group: from the earliest offset) changes nothing.
        Map<String, Long> versions = versions(topic);
        Map<String, String> replay = options(topic);
        replay.put("group-id", topic + "-replay");
        JobRunner.runBounded(replay, s -> s);
        assertIndexHoldsExactlyTheLastRecords(topic, history);
        assertThat(versions(topic)).as("external versions: the Kafka offsets of the last records").isEqualTo(versions);
    }

    @Test
    void aFailureMidStreamAndARestartFromTheCheckpointLeaveTheSameIndex() throws Exception {
        History history = new History(21);
        String topic = clients.createTopicWithDeadLetters("changes-crash", 3);
        clients.produce(topic, history.records);
        FailOnce.reset();
        Map<String, String> options = options(topic);
        options.put("checkpoint-interval", "500ms");
        options.put("ordered", "true");

        JobRunner.runBounded(options, s -> s.map(new FailOnce(history.records.size() / 2)).name("fail-once").uid("fail-once"));

        assertThat(FailOnce.FAILED).as("the injected failure happened").isTrue();
        assertIndexHoldsExactlyTheLastRecords(topic, history);
        assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).isEmpty();
    }

    private Map<String, Long> versions(String index) throws Exception {
        clients.opensearch("POST", index + "/_refresh", null);
        JsonNode r = clients.opensearch("POST", index + "/_search",
                "{\"size\": 1000, \"version\": true, \"query\": {\"match_all\": {}}}");
        Map<String, Long> out = new HashMap<>();
        for (JsonNode hit : r.path("hits").path("hits")) {
            out.put(hit.get("_id").asText(), hit.get("_version").asLong());
        }
        return out;
    }
}
