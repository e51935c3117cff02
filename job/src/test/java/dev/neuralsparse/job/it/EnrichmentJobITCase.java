package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.job.VectorAssertions;
import dev.neuralsparse.job.stack.LocalStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The job end to end on a real Kafka broker and a real OpenSearch node, with the tiny model. */
class EnrichmentJobITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DOCUMENTS = 2000;

    private static Path shared;
    private static LocalStack stack;
    private static StackClients clients;
    private static SparseEncoder encoder;
    private static List<JsonNode> corpus;

    @BeforeAll
    static synchronized void start() throws Exception {
        if (corpus != null) {
            return;
        }
        shared = Paths.get(System.getProperty("shared.dir", "../shared")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(shared.resolve("data/cacm")), "../shared is absent (looked in " + shared + ")");
        stack = TestStack.get();
        clients = new StackClients(stack.kafkaBootstrapServers(), stack.opensearchUrl());
        encoder = SparseEncoder.open(EncoderSpec.builder().setModel(model()).build());
        corpus = new ArrayList<>();
        for (String line : Files.readAllLines(shared.resolve("data/cacm/corpus.jsonl"))) {
            corpus.add(JSON.readTree(line));
            if (corpus.size() == DOCUMENTS) {
                break;
            }
        }
    }

    static List<JsonNode> corpusSlice(int from, int to) {
        return corpus.subList(from, to);
    }

    static String model() {
        return shared.resolve("models/tiny-distilbert").toString();
    }

    static Map<String, String> options(String topic, String dlq, String index) {
        Map<String, String> o = new HashMap<>();
        o.put("kafka", stack.kafkaBootstrapServers());
        o.put("opensearch", stack.opensearchUrl());
        o.put("topic", topic);
        o.put("dlq-topic", dlq);
        o.put("index", index);
        o.put("group-id", topic + "-group");
        o.put("model", model());
        o.put("text-fields", "title;text");
        o.put("parallelism", "2");
        o.put("checkpoint-interval", "2s");
        return o;
    }

    static List<byte[][]> records(List<JsonNode> docs) {
        List<byte[][]> out = new ArrayList<>();
        for (JsonNode d : docs) {
            out.add(new byte[][] {d.get("_id").asText().getBytes(StandardCharsets.UTF_8),
                    d.toString().getBytes(StandardCharsets.UTF_8)});
        }
        return out;
    }

    @Test
    void indexesEveryDocumentWithTheEncodersVector() throws Exception {
        String topic = clients.createTopicWithDeadLetters("docs", 2);
        String dlq = topic + "-dlq";
        String index = topic;
        clients.produce(topic, records(corpus));

        JobRunner.runBounded(options(topic, dlq, index), s -> s);

        Map<String, JsonNode> indexed = clients.allDocuments(index);
        assertThat(clients.consumeJson(dlq, 1, Duration.ofSeconds(3))).as("dead letters").isEmpty();
        assertThat(indexed).hasSize(DOCUMENTS);
        assertVectorsMatchEncoder(indexed, corpus);
        JsonNode mapping = clients.opensearch("GET", index + "/_mapping", null);
        assertThat(mapping.path(index).path("mappings").path("properties").path("sparse_embedding").path("type").asText())
                .isEqualTo("rank_features");
    }

    static void assertVectorsMatchEncoder(Map<String, JsonNode> indexed, List<JsonNode> docs) {
        List<String> texts = new ArrayList<>();
        for (JsonNode d : docs) {
            texts.add((d.path("title").asText() + " " + d.path("text").asText()).strip());
        }
        List<SparseVector> vectors = encoder.encode(texts);
        for (int i = 0; i < docs.size(); i++) {
            String id = docs.get(i).get("_id").asText();
            // Batch composition moves weights by ~1e-6: compare as the golden tests do (tokens
            // above 1e-4, each within 1e-4), or within rank_features' 0.5% where that is larger.
            VectorAssertions.assertClose(VectorAssertions.floats(indexed.get(id).get("sparse_embedding")),
                    vectors.get(i).toTokenMap(encoder.vocabulary()), 1e-4, 0.005, id);
            assertThat(indexed.get(id).get("title").asText()).isEqualTo(docs.get(i).get("title").asText());
        }
    }
}
