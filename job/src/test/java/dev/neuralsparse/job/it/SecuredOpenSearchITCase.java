package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.flink.OpenSearchConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenSearch behind TLS and basic authentication (a real nginx in front of the real node, with a
 * CA the test generates): the job and the search command work through it, credentials come from a
 * file or the environment and appear in no output, and the failures say what they are within
 * seconds. One proxy for the class.
 */
class SecuredOpenSearchITCase {
    private static TlsProxy proxy;
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        proxy = TlsProxy.start(TestStack.get().opensearchUrl(), "pw-" + UUID.randomUUID());
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
    }

    private static OpenSearchConnection.Builder secured() {
        return OpenSearchConnection.builder().setUrl(proxy.url()).setCaPem(proxy.caPem);
    }

    private static Processes.Result cli(Map<String, String> env, String... args) throws Exception {
        return Processes.neuralSparse(proxy.dir, env, args);
    }

    @Test
    void theJobAndTheSearchCommandWorkThroughTlsAndBasicAuthAndNoOutputShowsThePassword() throws Exception {
        String topic = clients.createTopicWithDeadLetters("secure", 1);
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 100);
        clients.produce(topic, EnrichmentJobITCase.records(docs));
        Path passwordFile = proxy.dir.resolve("opensearch.password");
        Files.writeString(passwordFile, proxy.password + "\n");

        Processes.Result run = cli(Map.of(), "run", "--kafka", TestStack.get().kafkaBootstrapServers(),
                "--topic", topic, "--dlq-topic", topic + "-dlq", "--index", topic, "--text-fields", "title;text",
                "--model", EnrichmentJobITCase.model(), "--bounded", "--opensearch", proxy.url(),
                "--opensearch-username", TlsProxy.USER, "--opensearch-password-file", passwordFile.toString(),
                "--opensearch-ca", proxy.caPem.toString());
        assertThat(run.exitCode()).as("run:\n%s", run.output()).isZero();
        assertThat(run.output()).contains("index " + topic + " holds 100 documents").doesNotContain(proxy.password);
        assertThat(clients.allDocuments(topic)).hasSize(100);

        Processes.Result search = cli(Map.of("OPENSEARCH_PASSWORD", proxy.password), "search",
                "--opensearch", proxy.url(), "--opensearch-username", TlsProxy.USER, "--opensearch-ca", proxy.caPem.toString(),
                "--index", topic, "--model", EnrichmentJobITCase.model(), "time sharing systems");
        assertThat(search.exitCode()).as("search:\n%s", search.output()).isZero();
        assertThat(search.output()).contains("\"score\"").doesNotContain(proxy.password);
    }

    @Test
    void aWrongPasswordFailsAtStartWithinSecondsSayingAuthenticationFailedAgainstWhichUrl() {
        String wrong = "not-" + proxy.password;
        long start = System.nanoTime();
        assertThatThrownBy(() -> new IndexSetup(secured().setCredentials(TlsProxy.USER, wrong).build(), Duration.ofSeconds(60))
                .ensure("any-index", "sparse_embedding", IndexSetup.Settings.defaults()))
                .hasMessageContaining("authentication failed against OpenSearch at " + proxy.url() + " (HTTP 401)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThatThrownBy(() -> new IndexSetup(secured().build(), Duration.ofSeconds(60))
                .ensure("any-index", "sparse_embedding", IndexSetup.Settings.defaults()))
                .hasMessageContaining("it asks for credentials");
    }

    @Test
    void anUntrustedCertificateIsATlsTrustProblemThatNamesOpensearchCa() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> new IndexSetup(OpenSearchConnection.builder().setUrl(proxy.url())
                .setCredentials(TlsProxy.USER, proxy.password).build(), Duration.ofSeconds(60))
                .ensure("any-index", "sparse_embedding", IndexSetup.Settings.defaults()))
                .hasMessageContaining("TLS trust problem with OpenSearch at " + proxy.url())
                .hasMessageContaining("--opensearch-ca");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void insecureSkipsVerificationForDevelopment() {
        String index = StackClients.unique("insecure");
        new IndexSetup(OpenSearchConnection.builder().setUrl(proxy.url()).setCredentials(TlsProxy.USER, proxy.password)
                .setInsecure(true).build(), Duration.ofSeconds(10))
                .ensure(index, "sparse_embedding", IndexSetup.Settings.defaults());
        assertThat(OpenSearchConnection.builder().setUrl(proxy.url()).setCredentials(TlsProxy.USER, proxy.password)
                .setInsecure(true).build().toString()).contains("INSECURE").contains("***").doesNotContain(proxy.password);
    }
}
