package dev.neuralsparse.job.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

/**
 * A local Kafka broker and OpenSearch node for development and the integration tests, started as
 * plain processes from Maven-resolved artifacts (no Docker). {@link #up()} is idempotent: servers
 * recorded as running are reused; {@link #down()} stops them by their recorded PIDs.
 *
 * <pre>{@code
 * LocalStack stack = LocalStack.builder().build();
 * stack.up();   // Kafka on 127.0.0.1:9092, OpenSearch on http://127.0.0.1:9200
 * }</pre>
 */
public final class LocalStack {
    public static final int DEFAULT_KAFKA_PORT = 9092;
    public static final int DEFAULT_OPENSEARCH_PORT = 9200;

    private final Path dir;
    private final KafkaBroker kafka;
    private final OpenSearchNode opensearch;
    private final Duration startTimeout;

    private LocalStack(Builder b) {
        this.dir = b.dir;
        Path artifacts = b.artifacts;
        Path libs = artifacts.resolve("kafka/libs");
        Path distribution = findDistribution(artifacts);
        this.kafka = new KafkaBroker(libs, dir, b.kafkaPort, b.kafkaControllerPort, b.kafkaListeners);
        this.opensearch = new OpenSearchNode(distribution, dir, b.opensearchPort, b.opensearchTransportPort);
        this.startTimeout = b.startTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String kafkaBootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String opensearchUrl() {
        return opensearch.url();
    }

    public Path dir() {
        return dir;
    }

    /** Starts what is not running (both at once) and waits until both are healthy. */
    public void up() {
        kafka.start();
        opensearch.start();
        kafka.awaitHealthy(startTimeout);
        opensearch.awaitHealthy(startTimeout);
    }

    /** Stops both servers; true if anything was running. */
    public boolean down() {
        boolean stopped = opensearch.process().stop(Duration.ofSeconds(30));
        return kafka.process().stop(Duration.ofSeconds(30)) | stopped;
    }

    /**
     * Stops the Kafka broker (SIGTERM, as an operator's restart does), waits {@code downFor} and
     * starts it again on the same ports and data; for chaos tests.
     */
    public void restartKafka(Duration downFor) throws InterruptedException {
        kafka.process().stop(Duration.ofSeconds(30));
        Thread.sleep(downFor.toMillis());
        kafka.start();
        kafka.awaitHealthy(startTimeout);
    }

    /** The OpenSearch server's process (its JVM), e.g. to freeze it with SIGSTOP in a chaos test. */
    public ProcessHandle opensearchProcess() {
        return opensearch.process().running().orElseThrow(() -> new StackException("OpenSearch is not running"));
    }

    /** The Kafka broker's process (its JVM). */
    public ProcessHandle kafkaProcess() {
        return kafka.process().running().orElseThrow(() -> new StackException("Kafka is not running"));
    }

    /** One line per server: running or not, healthy or not, where its log is. */
    public List<String> status() {
        return List.of(
                line("kafka", kafka.process(), kafka.process().running().isPresent() && kafka.isHealthy(), kafka.bootstrapServers()),
                line("opensearch", opensearch.process(), opensearch.process().running().isPresent() && opensearch.isHealthy(), opensearch.url()));
    }

    private static String line(String name, ManagedProcess p, boolean healthy, String address) {
        return String.format("%-10s %-8s %-9s %-24s log %s", name,
                p.running().map(h -> "pid " + h.pid()).orElse("stopped"),
                healthy ? "healthy" : (p.running().isPresent() ? "starting" : "-"), address, p.logFile());
    }

    private static Path findDistribution(Path artifacts) {
        try (var dirs = Files.list(artifacts)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("opensearch-") && Files.isDirectory(p))
                    .findFirst()
                    .orElseThrow(() -> new StackException("no OpenSearch distribution in " + artifacts));
        } catch (java.io.IOException e) {
            throw new StackException("the stack's server artifacts are not built (" + artifacts + " is missing);"
                    + " run: mvn -q -B package -DskipTests", e);
        }
    }

    /** Ports default to the well-known ones; the folders to the project's and the cache. */
    public static final class Builder {
        private Path artifacts = defaultArtifacts();
        private Path dir = defaultDir();
        private int kafkaPort = DEFAULT_KAFKA_PORT;
        private int kafkaControllerPort = 9093;
        private int opensearchPort = DEFAULT_OPENSEARCH_PORT;
        private int opensearchTransportPort = 9300;
        private Duration startTimeout = Duration.ofSeconds(120);
        private final List<KafkaListener> kafkaListeners = new java.util.ArrayList<>();

        public Builder setArtifacts(Path artifacts) {
            this.artifacts = artifacts;
            return this;
        }

        public Builder setDir(Path dir) {
            this.dir = dir;
            return this;
        }

        public Builder setKafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        public Builder setKafkaControllerPort(int port) {
            this.kafkaControllerPort = port;
            return this;
        }

        public Builder setOpensearchPort(int port) {
            this.opensearchPort = port;
            return this;
        }

        public Builder setOpensearchTransportPort(int port) {
            this.opensearchTransportPort = port;
            return this;
        }

        /** Four free ports chosen now: for tests that must not collide with a developer's stack. */
        public Builder useFreePorts() {
            kafkaPort = FreePorts.next();
            kafkaControllerPort = FreePorts.next();
            opensearchPort = FreePorts.next();
            opensearchTransportPort = FreePorts.next();
            return this;
        }

        /** A listener the broker opens besides its plaintext one (tests of SASL and TLS clients). */
        public Builder addKafkaListener(KafkaListener listener) {
            kafkaListeners.add(listener);
            return this;
        }

        public Builder setStartTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public LocalStack build() {
            return new LocalStack(this);
        }

        /** {@code deploy/local-stack/target} of the project ({@code -Dneural.sparse.home}, else the working directory). */
        public static Path defaultArtifacts() {
            Path home = Paths.get(System.getProperty("neural.sparse.home", ".")).toAbsolutePath().normalize();
            return home.resolve("deploy/local-stack/target");
        }

        /**
         * {@code $NEURAL_SPARSE_STACK_DIR}, else under the cache; as root under /var/tmp, which the
         * unprivileged OpenSearch user can reach (root's home is closed to it).
         */
        public static Path defaultDir() {
            String env = System.getenv("NEURAL_SPARSE_STACK_DIR");
            if (env != null && !env.isBlank()) {
                return Paths.get(env);
            }
            return OpenSearchNode.isRoot()
                    ? Paths.get("/var/tmp/neural-sparse/stack")
                    : dev.neuralsparse.encoder.ModelResolver.cacheRoot().resolve("stack");
        }
    }
}
