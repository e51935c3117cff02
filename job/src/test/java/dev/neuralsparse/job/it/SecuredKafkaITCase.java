package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.flink.ClusterAccessException;
import dev.neuralsparse.flink.KafkaConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka with SASL: the real broker's SASL_PLAINTEXT (PLAIN) and SASL_SSL (SCRAM-SHA-256, generated
 * certificate) listeners. The job (source, dead-letter sink, the OpenSearch sink's dead-letter
 * producer) and the produce / consume commands work through them with one --kafka-properties file;
 * no output shows a secret; a wrong password and an untrusted certificate fail at start within
 * seconds and say what they are. Set-up and checks use the plaintext listener.
 */
class SecuredKafkaITCase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static StackClients clients;
    private static SecuredKafka kafka;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        kafka = TestStack.securedKafka();
    }

    /** A topic whose index maps {@code year} as an integer, so that a document with a text year is refused by OpenSearch. */
    private static String topicWithStrictIndex(String prefix) throws Exception {
        String topic = clients.createTopicWithDeadLetters(prefix, 1);
        clients.opensearch("PUT", topic, "{\"mappings\": {\"properties\": {\"year\": {\"type\": \"integer\"},"
                + " \"sparse_embedding\": {\"type\": \"rank_features\"}}}}");
        return topic;
    }

    private static final String MALFORMED = "{\"_id\": \"malformed\", \"title\": ";
    private static final String BAD_YEAR = "{\"_id\": \"bad-year\", \"title\": \"A title\", \"year\": \"nineteen sixty\"}";

    /** Checks the two dead letters: one from the parser (the job's Kafka sink), one from OpenSearch (the sink's producer). */
    private static void assertDeadLetters(List<JsonNode> letters) {
        assertThat(letters).extracting(l -> l.get("stage").asText()).containsExactlyInAnyOrder("parse", "index");
        assertThat(letters).extracting(l -> l.get("value").asText()).containsExactlyInAnyOrder(MALFORMED, BAD_YEAR);
    }

    @Test
    void theCommandsAndTheJobWorkThroughSaslSslWithScramAndNoOutputShowsASecret() throws Exception {
        String topic = topicWithStrictIndex("sasl-ssl");
        List<String> lines = new ArrayList<>();
        EnrichmentJobITCase.corpusSlice(300, 360).forEach(d -> lines.add(d.toString()));
        lines.add(10, MALFORMED);
        lines.add(20, BAD_YEAR);
        Path input = kafka.dir.resolve(topic + ".jsonl");
        Files.write(input, lines, StandardCharsets.UTF_8);
        String properties = kafka.scramSslProperties(true).toString();
        String brokers = kafka.saslSsl.bootstrapServers();

        Processes.Result produce = Processes.neuralSparse(kafka.dir, Map.of(), "produce", "--kafka", brokers,
                "--kafka-properties", properties, "--topic", topic, "--input", input.toString());
        assertThat(produce.exitCode()).as("produce:\n%s", produce.output()).isZero();
        assertThat(produce.output()).contains("sent 62 records to " + topic);

        Processes.Result run = Processes.neuralSparse(kafka.dir, Map.of(), "run", "--kafka", brokers,
                "--kafka-properties", properties, "--opensearch", TestStack.get().opensearchUrl(), "--topic", topic,
                "--dlq-topic", topic + "-dlq", "--index", topic,
                "--text-fields", "title;text", "--model", EnrichmentJobITCase.model(), "--bounded");
        assertThat(run.exitCode()).as("run:\n%s", run.output()).isZero();
        assertThat(clients.allDocuments(topic)).hasSize(60);

        Processes.Result consume = Processes.neuralSparse(kafka.dir, Map.of(), "consume", "--kafka", brokers,
                "--kafka-properties", properties, "--topic", topic + "-dlq");
        assertThat(consume.exitCode()).as("consume:\n%s", consume.output()).isZero();
        List<JsonNode> letters = new ArrayList<>();
        for (String line : consume.output().split("\n")) {
            JsonNode letter = line.startsWith("{") ? JSON.readTree(line) : null;
            if (letter != null && letter.has("stage")) {
                letters.add(letter);
            }
        }
        assertDeadLetters(letters);

        for (Processes.Result r : List.of(produce, run, consume)) {
            assertThat(r.output()).doesNotContain(kafka.scramPassword);
        }
    }

    @Test
    void theJobRunsThroughSaslPlaintextWithPlain() throws Exception {
        String topic = topicWithStrictIndex("sasl-plain");
        List<byte[][]> records = new ArrayList<>(EnrichmentJobITCase.records(EnrichmentJobITCase.corpusSlice(400, 440)));
        records.add(5, new byte[][] {"malformed".getBytes(StandardCharsets.UTF_8), MALFORMED.getBytes(StandardCharsets.UTF_8)});
        records.add(15, new byte[][] {"bad-year".getBytes(StandardCharsets.UTF_8), BAD_YEAR.getBytes(StandardCharsets.UTF_8)});
        clients.produce(topic, records);

        Map<String, String> options = EnrichmentJobITCase.options(topic, topic + "-dlq", topic);
        options.put("kafka", kafka.saslPlaintext.bootstrapServers());
        options.put("kafka-properties", kafka.plainProperties(kafka.plainPassword).toString());
        JobRunner.runBounded(options, s -> s);

        assertThat(clients.allDocuments(topic)).hasSize(40);
        assertDeadLetters(clients.consumeJson(topic + "-dlq", 2, Duration.ofSeconds(30)));
    }

    @Test
    void aWrongPasswordFailsAtStartWithinSecondsSayingKafkaAuthenticationFailed() throws Exception {
        String wrong = "not-" + kafka.plainPassword;
        Path properties = kafka.plainProperties(wrong);
        String brokers = kafka.saslPlaintext.bootstrapServers();
        long start = System.nanoTime();
        assertThatThrownBy(() -> KafkaConnection.of(brokers, properties).check(Duration.ofSeconds(30)))
                .isInstanceOf(ClusterAccessException.class)
                .hasMessageContaining("Kafka authentication failed against " + brokers + " (SASL_PLAINTEXT, PLAIN)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));

        Processes.Result run = Processes.neuralSparse(kafka.dir, Map.of(), "run", "--kafka", brokers,
                "--kafka-properties", properties.toString(), "--topic", "never-read", "--dlq-topic", "never-written",
                "--index", "never-created", "--model", EnrichmentJobITCase.model(), "--bounded");
        assertThat(run.exitCode()).as("run:\n%s", run.output()).isEqualTo(1);
        assertThat(run.output()).contains("Kafka authentication failed against " + brokers)
                .doesNotContain(wrong).doesNotContain("\tat ");
    }

    @Test
    void anUntrustedBrokerCertificateIsATlsProblemThatNamesTheTruststore() throws Exception {
        Path properties = kafka.scramSslProperties(false);
        long start = System.nanoTime();
        assertThatThrownBy(() -> KafkaConnection.of(kafka.saslSsl.bootstrapServers(), properties).check(Duration.ofSeconds(30)))
                .isInstanceOf(ClusterAccessException.class)
                .hasMessageContaining("TLS handshake with Kafka at " + kafka.saslSsl.bootstrapServers())
                .hasMessageContaining("ssl.truststore")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(kafka.scramPassword));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
}
