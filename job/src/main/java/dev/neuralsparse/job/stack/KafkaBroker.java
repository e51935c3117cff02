package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) run from the
 * {@code kafka_2.13} jars that Maven resolved, its log directory formatted once with
 * {@code kafka.tools.StorageTool}.
 */
final class KafkaBroker {
    private final Path libs;
    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final List<KafkaListener> extraListeners;
    private final ManagedProcess process;

    KafkaBroker(Path libs, Path dir, int port, int controllerPort, List<KafkaListener> extraListeners) {
        this.libs = libs;
        this.dir = dir.resolve("kafka");
        this.port = port;
        this.controllerPort = controllerPort;
        this.extraListeners = List.copyOf(extraListeners);
        this.process = new ManagedProcess("kafka", dir);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    ManagedProcess process() {
        return process;
    }

    /** Starts the broker unless the recorded one is running; returns without waiting for health. */
    void start() {
        if (process.running().isPresent()) {
            return;
        }
        ManagedProcess.requireFreePort(port, "Kafka", "--kafka-port");
        ManagedProcess.requireFreePort(controllerPort, "Kafka controller", "--kafka-controller-port");
        for (KafkaListener l : extraListeners) {
            ManagedProcess.requireFreePort(l.port(), "Kafka " + l.protocol() + " listener", "its builder");
        }
        try {
            Files.createDirectories(dir);
            Path config = writeConfig();
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                format(config);
            }
            process.start(List.of(java(), "-Xms256m", "-Xmx512m",
                    "-Dlog4j2.configurationFile=" + writeLogConfig(),
                    "-cp", libs + "/*", "kafka.Kafka", config.toString()), dir, Map.of());
        } catch (IOException e) {
            throw new StackException("cannot prepare Kafka in " + dir + ": " + e.getMessage(), e);
        }
    }

    boolean isHealthy() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(p)) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    void awaitHealthy(Duration timeout) {
        Health.await(this::isHealthy, process, "Kafka on " + bootstrapServers(), timeout);
    }

    private Path writeConfig() throws IOException {
        Path config = dir.resolve("server.properties");
        StringBuilder listeners = new StringBuilder("PLAINTEXT://127.0.0.1:" + port);
        StringBuilder protocols = new StringBuilder("CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        StringBuilder settings = new StringBuilder();
        for (KafkaListener l : extraListeners) {
            listeners.append(',').append(l.address());
            protocols.append(',').append(l.protocol()).append(':').append(l.protocol());
            l.settings().forEach((k, v) -> settings.append(k).append('=').append(v).append('\n'));
        }
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=" + listeners + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + listeners,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=" + protocols,
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                // messages up to 16 MB, so that oversized documents reach the job and its dead letters
                "message.max.bytes=16777216",
                "replica.fetch.max.bytes=16777216",
                settings.toString()));
        return config;
    }

    private Path writeLogConfig() throws IOException {
        Path file = dir.resolve("log4j2.properties");
        Files.writeString(file, String.join("\n",
                "rootLogger.level=WARN",
                "rootLogger.appenderRef.out.ref=out",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=%d %p %c{1} %m%n",
                "logger.started.name=kafka.server.KafkaRaftServer",
                "logger.started.level=INFO",
                ""));
        return file;
    }

    private void format(Path config) {
        // Kafka's own ids never start with '-', which the tool's argument parser would take for an
        // option; the '=' form keeps it a value whatever it is.
        String clusterId = Uuid.randomUuid().toString();
        try {
            Process p = new ProcessBuilder(java(), "-cp", libs + "/*", "kafka.tools.StorageTool", "format",
                    "--cluster-id=" + clusterId, "--config=" + config, "--standalone")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(process.logFile().toFile()))
                    .start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new StackException("formatting Kafka storage failed; see " + process.logFile() + ":\n" + process.tail(20));
            }
        } catch (IOException e) {
            throw new StackException("cannot run kafka.tools.StorageTool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while formatting Kafka storage", e);
        }
    }

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
