package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each class of encoder failure, injected through the encoder's interface into the real job on
 * real Kafka and OpenSearch: a machine fault fails the job and dead-letters nothing; only a
 * document that cannot be encoded by itself is a dead letter.
 */
class EncoderFaultsITCase {
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
    }

    @Test
    void aLongDocumentOnASlowDeviceIsNotATimeoutWhileTheDeviceMakesProgress() throws Exception {
        String topic = clients.createTopicWithDeadLetters("long", 1);
        List<byte[][]> records = shortDocuments(3);
        // about 30 windows in chunked-max mode: with a token budget of one window and 150 ms per
        // forward pass it takes some 5 s, ten times the timeout, and is never stuck
        records.add(new byte[][] {utf8("long"), utf8("{\"id\": \"long\", \"text\": \""
                + "time sharing compilers ".repeat(4000) + "\"}")});
        clients.produce(topic, records);
        Map<String, String> options = options(topic);
        options.put("long-docs", "chunked-max");
        options.put("token-budget", "512");
        options.put("async-timeout", "500ms");
        options.put("retries", "0");

        JobRunner.runBounded(options, s -> s, TestEncoders.slow(150));

        assertThat(clients.allDocuments(topic)).containsKey("long").hasSize(4);
        assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).isEmpty();
    }

    private static List<byte[][]> shortDocuments(int n) {
        List<byte[][]> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new byte[][] {utf8("d" + i), utf8("{\"id\": \"d" + i + "\", \"text\": \"document " + i
                    + " on time sharing and compilers\"}")});
        }
        return records;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> options(String topic) {
        Map<String, String> o = EnrichmentJobITCase.options(topic, topic + "-dlq", topic);
        o.put("text-fields", "text");
        o.put("retry-delay", "100ms");
        return o;
    }

    @Test
    void outOfMemorySplitsBatchesAndOnlyADocumentTooLargeAloneIsADeadLetter() throws Exception {
        String topic = clients.createTopicWithDeadLetters("oom", 2);
        List<byte[][]> records = shortDocuments(60);
        records.add(30, new byte[][] {utf8("too-large"), utf8("{\"id\": \"too-large\", \"text\": \""
                + "compilers ".repeat(400) + "\"}")});
        clients.produce(topic, records);

        JobRunner.runBounded(options(topic), s -> s, TestEncoders.withMemoryFor(300));

        List<JsonNode> letters = clients.consumeJson(topic + "-dlq", 2, Duration.ofSeconds(10));
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).get("document_id").asText()).isEqualTo("too-large");
        assertThat(letters.get(0).get("stage").asText()).isEqualTo("encode");
        assertThat(letters.get(0).get("reason").asText()).contains("does not fit in device memory even alone");
        assertThat(clients.allDocuments(topic)).hasSize(60).doesNotContainKey("too-large");
    }

    @Test
    void aBrokenDeviceFailsTheJobAfterItsRetriesAndDeadLettersNothing() throws Exception {
        String topic = clients.createTopicWithDeadLetters("broken", 1);
        clients.produce(topic, shortDocuments(10));

        assertThatThrownBy(() -> JobRunner.runBounded(options(topic), s -> s, TestEncoders.broken()))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e))
                        .contains("illegal memory access")
                        .contains("an infrastructure fault, never a dead letter"));
        assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).isEmpty();
    }

    @Test
    void aStuckDeviceTimesOutAsAnInfrastructureFaultNotADeadLetter() throws Exception {
        String topic = clients.createTopicWithDeadLetters("slow", 1);
        clients.produce(topic, shortDocuments(5));
        Map<String, String> options = options(topic);
        options.put("async-timeout", "300ms");
        options.put("retries", "1");

        assertThatThrownBy(() -> JobRunner.runBounded(options, s -> s, TestEncoders.slow(2_000)))
                .satisfies(e -> assertThat(ExceptionUtils.stringifyException(e)).contains("waited 300 ms with no forward pass completing"));
        assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).isEmpty();
    }
}
