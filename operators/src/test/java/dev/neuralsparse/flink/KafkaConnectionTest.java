package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {
    private static final String SECRET = "s3cr3t-value";

    @TempDir
    Path dir;

    private Path file(String... lines) throws Exception {
        Path f = dir.resolve("client.properties");
        Files.write(f, java.util.List.of(lines));
        return f;
    }

    @Test
    void everyClientGetsTheFilesSettingsAndTheBootstrapServers() throws Exception {
        KafkaConnection kafka = KafkaConnection.of("broker:9093", file("security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512", "sasl.jaas.config=x required password=\"" + SECRET + "\";"));
        assertThat(kafka.clientProperties()).containsEntry("bootstrap.servers", "broker:9093")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(kafka.clientProperties()).isNotSameAs(kafka.clientProperties());
        assertThat(kafka.toString()).isEqualTo("broker:9093 (SASL_SSL, SCRAM-SHA-512)").doesNotContain(SECRET);
    }

    @Test
    void theBrokersComeFromTheOptionElseTheFileElseTheDefault() throws Exception {
        Path f = file("bootstrap.servers=from-file:9092");
        assertThat(KafkaConnection.of("explicit:1", f).bootstrapServers()).isEqualTo("explicit:1");
        assertThat(KafkaConnection.of(null, f).bootstrapServers()).isEqualTo("from-file:9092");
        assertThat(KafkaConnection.of(null, null).bootstrapServers()).isEqualTo(KafkaConnection.DEFAULT_BOOTSTRAP_SERVERS);
        assertThat(KafkaConnection.of(null, null).toString()).isEqualTo("127.0.0.1:9092 (PLAINTEXT)");
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> KafkaConnection.of(null, missing))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(missing.toString());
    }

    @Test
    void failuresAreSaidAsWhatTheyAreWithoutSecrets() throws Exception {
        KafkaConnection kafka = KafkaConnection.of("b:1", file("security.protocol=SASL_PLAINTEXT", "sasl.mechanism=PLAIN",
                "sasl.jaas.config=x required password=\"" + SECRET + "\";"));
        assertThat(kafka.explain(new RuntimeException(new SaslAuthenticationException("Invalid username or password"))))
                .isInstanceOf(ClusterAccessException.class)
                .hasMessageStartingWith("Kafka authentication failed against b:1 (SASL_PLAINTEXT, PLAIN): Invalid username")
                .hasMessageNotContaining(SECRET);
        assertThat(kafka.explain(new TopicAuthorizationException("Not authorized to access topics: [t]")))
                .hasMessageContaining("denies access");
        assertThat(kafka.explain(new org.apache.kafka.common.errors.TimeoutException("metadata")))
                .hasMessageContaining("did not answer").hasMessageContaining("SASL_PLAINTEXT");
        // The producer's expired batch: the brokers may have answered, with errors it retried.
        assertThat(kafka.explain(new org.apache.kafka.common.errors.TimeoutException(
                "Expiring 12 record(s) for t-0:120000 ms has passed since batch creation")))
                .hasMessageContaining("did not acknowledge records").hasMessageContaining("Expiring 12 record(s)")
                .hasMessageNotContaining("did not answer");
    }

    @Test
    void connectionsWithTheSameSettingsAreEqualAndSerializable() throws Exception {
        Path f = file("security.protocol=SSL");
        assertThat(KafkaConnection.of("b:1", f)).isEqualTo(KafkaConnection.of("b:1", f))
                .isNotEqualTo(KafkaConnection.of("b:1")).hasSameHashCodeAs(KafkaConnection.of("b:1", f));
        new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(KafkaConnection.of("b:1", f));
    }
}
