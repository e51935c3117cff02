package dev.neuralsparse.flink;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * How every Kafka client of the project reaches the brokers, from one immutable spec: the
 * bootstrap servers and the client properties of the user's properties file (Kafka's own names:
 * {@code security.protocol}, {@code sasl.*}, {@code ssl.*}; the {@code --command-config}
 * convention of Kafka's tools). The source, the sinks, the dead-letter producer and the commands
 * all take their properties from {@link #clientProperties()}, so they cannot drift apart.
 *
 * <p>The properties travel inside the serialized sources and sinks (the TaskManagers' clients need
 * them), never in the job's configuration; {@link #toString()} and every message here show the
 * protocol and mechanism only. Files a property names (a keystore, a truststore) must exist at the
 * same path on every TaskManager; PEM values inline ({@code ssl.truststore.certificates}) avoid that.
 */
public final class KafkaConnection implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Kafka's default when neither {@code --kafka} nor the properties file names brokers. */
    public static final String DEFAULT_BOOTSTRAP_SERVERS = "127.0.0.1:9092";

    private final String bootstrapServers;
    private final TreeMap<String, String> properties;

    private KafkaConnection(String bootstrapServers, TreeMap<String, String> properties) {
        this.bootstrapServers = bootstrapServers;
        this.properties = properties;
    }

    /** A plain connection to {@code bootstrapServers}: no client properties. */
    public static KafkaConnection of(String bootstrapServers) {
        return new KafkaConnection(requireServers(bootstrapServers), new TreeMap<>());
    }

    /**
     * The connection that {@code propertiesFile} describes (null: none), to {@code bootstrapServers}
     * when given, else to the file's {@code bootstrap.servers}, else to {@link #DEFAULT_BOOTSTRAP_SERVERS}.
     */
    public static KafkaConnection of(String bootstrapServers, Path propertiesFile) {
        TreeMap<String, String> loaded = propertiesFile == null ? new TreeMap<>() : load(propertiesFile);
        String fromFile = loaded.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        String servers = bootstrapServers != null && !bootstrapServers.isBlank() ? bootstrapServers
                : fromFile != null && !fromFile.isBlank() ? fromFile : DEFAULT_BOOTSTRAP_SERVERS;
        return new KafkaConnection(requireServers(servers), loaded);
    }

    private static String requireServers(String servers) {
        if (servers == null || servers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers are empty");
        }
        return servers.strip();
    }

    private static TreeMap<String, String> load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read the Kafka properties file " + file + ": " + e.getMessage(), e);
        }
        TreeMap<String, String> map = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k.strip(), p.getProperty(k).strip()));
        return map;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh copy of the properties every client starts from: the user's, plus the bootstrap servers. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return p;
    }

    /** The security protocol the clients use ({@code PLAINTEXT} unless the properties say otherwise). */
    public String securityProtocol() {
        return properties.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");
    }

    /**
     * Asks the cluster to describe itself, so that a wrong password, an untrusted certificate or a
     * listener of another protocol fails here, at start, with what it is, instead of as a restart loop
     * of the job's tasks.
     *
     * @throws ClusterAccessException that says whether authentication failed, access was denied or
     *     the brokers did not answer within {@code timeout}
     */
    public void check(Duration timeout) {
        Properties p = clientProperties();
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(p)) {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reaching Kafka at " + this, e);
        } catch (ExecutionException e) {
            throw explain(e.getCause());
        } catch (TimeoutException e) {
            throw unreachable(timeout, e);
        }
    }

    /**
     * What a Kafka client's failure means for this connection: authentication (a wrong password or
     * mechanism, a certificate the client does not trust), authorization, or no answer.
     */
    public RuntimeException explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                return new ClusterAccessException("TLS handshake with Kafka at " + this + " failed: " + t.getMessage()
                        + " (is the CA that signed the brokers' certificates in ssl.truststore.* of --kafka-properties?)",
                        failure);
            }
            if (t instanceof AuthenticationException) {
                return new ClusterAccessException("Kafka authentication failed against " + this + ": " + t.getMessage()
                        + " (check the security.protocol, sasl.* and ssl.* properties of --kafka-properties)", failure);
            }
            if (t instanceof AuthorizationException) {
                return new ClusterAccessException("Kafka at " + this + " denies access: " + t.getMessage(), failure);
            }
            if (t instanceof org.apache.kafka.common.errors.TimeoutException && String.valueOf(t.getMessage()).startsWith("Expiring")) {
                // A producer's batch expired: the brokers may well have answered, with an error
                // the producer kept retrying (an out-of-order sequence, say), which only their log tells.
                return new ClusterAccessException("Kafka at " + this + " did not acknowledge records within the producer's"
                        + " delivery timeout (" + t.getMessage() + "): the brokers are down, unreachable, or kept refusing"
                        + " the records with a retriable error (their log says which)", failure);
            }
            if (t instanceof org.apache.kafka.common.errors.TimeoutException) {
                return unreachable(null, failure);
            }
        }
        return new IllegalStateException("Kafka at " + this + " failed: " + failure, failure);
    }

    private ClusterAccessException unreachable(Duration timeout, Throwable cause) {
        return new ClusterAccessException("Kafka at " + this + " did not answer" + (timeout == null ? "" : " within "
                + timeout.toSeconds() + " s") + ": are the brokers up, and do they listen with " + securityProtocol()
                + " on that address? (set security.protocol in --kafka-properties)", cause);
    }

    /** The brokers, the protocol and the SASL mechanism: nothing secret. */
    @Override
    public String toString() {
        String mechanism = properties.get(SaslConfigs.SASL_MECHANISM);
        boolean sasl = securityProtocol().toUpperCase(java.util.Locale.ROOT).startsWith("SASL");
        return bootstrapServers + " (" + securityProtocol()
                + (sasl ? ", " + (mechanism == null ? "GSSAPI" : mechanism) : "") + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KafkaConnection other && bootstrapServers.equals(other.bootstrapServers)
                && properties.equals(other.properties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bootstrapServers, properties);
    }
}
