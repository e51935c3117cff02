package dev.neuralsparse.job.it;

import dev.neuralsparse.job.stack.FreePorts;
import dev.neuralsparse.job.stack.KafkaListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * The secured listeners of the test broker, as managed Kafka services offer them: SASL_PLAINTEXT
 * with PLAIN (user {@value #PLAIN_USER}) and SASL_SSL with SCRAM-SHA-256 (user {@value #SCRAM_USER})
 * and a server certificate that {@code keytool} generates; random passwords, and for each a client
 * properties file with Kafka's own names, as a user would write for {@code --kafka-properties}.
 */
final class SecuredKafka {
    static final String PLAIN_USER = "alice";
    static final String SCRAM_USER = "bob";
    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String SCRAM_MODULE = "org.apache.kafka.common.security.scram.ScramLoginModule";

    final Path dir;
    final KafkaListener saslPlaintext;
    final KafkaListener saslSsl;
    final String plainPassword = "plain-" + UUID.randomUUID();
    final String scramPassword = "scram-" + UUID.randomUUID();
    private final String keystorePassword = "ks-" + UUID.randomUUID();

    /** Generates the broker's keystore and the clients' files in {@code dir}; the listeners take free ports. */
    SecuredKafka(Path dir) throws Exception {
        this.dir = Files.createDirectories(dir);
        Path keystore = dir.resolve("broker.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", keystorePassword, "-keypass", keystorePassword);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass",
                keystorePassword, "-file", dir.resolve("broker-ca.pem").toString());
        saslPlaintext = new KafkaListener("SASL_PLAINTEXT", FreePorts.next(), Map.of(
                "listener.name.sasl_plaintext.sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                PLAIN_MODULE + " required user_" + PLAIN_USER + "=\"" + plainPassword + "\";"));
        saslSsl = new KafkaListener("SASL_SSL", FreePorts.next(), Map.of(
                "listener.name.sasl_ssl.sasl.enabled.mechanisms", "SCRAM-SHA-256",
                "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config", SCRAM_MODULE + " required;",
                "listener.name.sasl_ssl.ssl.keystore.type", "PKCS12",
                "listener.name.sasl_ssl.ssl.keystore.location", keystore.toString(),
                "listener.name.sasl_ssl.ssl.keystore.password", keystorePassword,
                "listener.name.sasl_ssl.ssl.key.password", keystorePassword));
    }

    /** The client properties of the SASL_PLAINTEXT listener, with {@code password}. */
    Path plainProperties(String password) throws IOException {
        return write("plain-" + UUID.randomUUID() + ".properties", Map.of(
                "security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", PLAIN_MODULE + " required username=\"" + PLAIN_USER + "\" password=\"" + password + "\";"));
    }

    /** The client properties of the SASL_SSL listener: SCRAM, and the broker's certificate as trust (PEM). */
    Path scramSslProperties(boolean trustBroker) throws IOException {
        Map<String, String> p = new java.util.HashMap<>(Map.of(
                "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-256",
                "sasl.jaas.config", SCRAM_MODULE + " required username=\"" + SCRAM_USER + "\" password=\"" + scramPassword + "\";"));
        if (trustBroker) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", dir.resolve("broker-ca.pem").toString());
        }
        return write("scram-ssl-" + UUID.randomUUID() + ".properties", p);
    }

    /** Creates the SCRAM user over the plaintext listener (KRaft keeps SCRAM credentials in its metadata). */
    void createScramUser(String plaintextBootstrap) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", plaintextBootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(SCRAM_USER,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 8192), scramPassword)))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private Path write(String name, Map<String, String> settings) throws IOException {
        Properties p = new Properties();
        p.putAll(settings);
        Path file = dir.resolve(name);
        try (var out = Files.newBufferedWriter(file)) {
            p.store(out, "Kafka client settings for --kafka-properties");
        }
        return file;
    }

    private void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Processes.tool(dir, command.toArray(String[]::new));
    }
}
