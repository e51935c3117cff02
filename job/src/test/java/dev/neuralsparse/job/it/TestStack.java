package dev.neuralsparse.job.it;

import dev.neuralsparse.job.stack.LocalStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The real Kafka and OpenSearch of the integration tests: started once per test JVM with the
 * same code as {@code bin/neural-sparse stack up} (plus the broker's SASL listeners of
 * {@link SecuredKafka}), on free ports and in a fresh folder under
 * /tmp (reachable by the unprivileged OpenSearch user), and stopped when the JVM exits.
 */
public final class TestStack {
    private static LocalStack stack;
    private static SecuredKafka securedKafka;

    private TestStack() {}

    /** Removes a test folder and everything in it (the servers' data and logs). */
    static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a leftover folder under /tmp is harmless
        }
    }

    /** The broker's SASL listeners (PLAIN, and SCRAM over TLS) and their clients' settings. */
    static synchronized SecuredKafka securedKafka() {
        get();
        return securedKafka;
    }

    public static synchronized LocalStack get() {
        if (stack == null) {
            try {
                Path dir = Files.createTempDirectory(Paths.get("/tmp"), "neural-sparse-it-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
                SecuredKafka secured = new SecuredKafka(dir.resolve("kafka-security"));
                LocalStack s = LocalStack.builder().setDir(dir).useFreePorts()
                        .addKafkaListener(secured.saslPlaintext).addKafkaListener(secured.saslSsl).build();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    s.down();
                    deleteTree(dir);
                }, "stop-test-stack"));
                s.up();
                secured.createScramUser(s.kafkaBootstrapServers());
                stack = s;
                securedKafka = secured;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the test stack: " + e.getMessage(), e);
            }
        }
        return stack;
    }
}
