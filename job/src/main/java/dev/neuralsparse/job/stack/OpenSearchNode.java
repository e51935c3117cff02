package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A single-node OpenSearch run from the integ-test distribution that Maven resolved (it has
 * mapper-extras, hence {@code rank_features}; no security plugin). OpenSearch needs Java 21+ and
 * refuses to run as root: as root it runs as {@code nobody}, from a copy of the distribution and
 * a data folder that this user can read and write.
 */
final class OpenSearchNode {
    private static final String UNPRIVILEGED_USER = "nobody";

    private final Path distribution;
    private final Path dir;
    private final int port;
    private final int transportPort;
    private final ManagedProcess process;

    OpenSearchNode(Path distribution, Path dir, int port, int transportPort) {
        this.distribution = distribution;
        this.dir = dir.resolve("opensearch");
        this.port = port;
        this.transportPort = transportPort;
        this.process = new ManagedProcess("opensearch", dir);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    ManagedProcess process() {
        return process;
    }

    void start() {
        if (process.running().isPresent()) {
            return;
        }
        ManagedProcess.requireFreePort(port, "OpenSearch HTTP", "--opensearch-port");
        ManagedProcess.requireFreePort(transportPort, "OpenSearch transport", "--opensearch-transport-port");
        Path java = JavaRuntimes.findHome(21);
        boolean root = isRoot();
        try {
            Path home = root ? readableCopy(distribution) : distribution;
            Path conf = dir.resolve("config");
            writeConfig(conf);
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("logs"));
            List<String> command = new ArrayList<>();
            if (root) {
                handOver(dir);
                command.addAll(List.of("setpriv", "--reuid=" + UNPRIVILEGED_USER, "--regid=nogroup", "--clear-groups", "--"));
            }
            command.addAll(List.of("bash", home.resolve("bin/opensearch").toString()));
            process.start(command, home, Map.of(
                    "OPENSEARCH_JAVA_HOME", java.toString(),
                    "JAVA_HOME", java.toString(),
                    "OPENSEARCH_PATH_CONF", conf.toString(),
                    "OPENSEARCH_JAVA_OPTS", "-Xms512m -Xmx512m",
                    "HOME", dir.toString()));
        } catch (IOException e) {
            throw new StackException("cannot prepare OpenSearch in " + dir + ": " + e.getMessage(), e);
        }
    }

    boolean isHealthy() {
        try {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=1s"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void awaitHealthy(Duration timeout) {
        Health.await(this::isHealthy, process, "OpenSearch on " + url(), timeout);
    }

    private void writeConfig(Path conf) throws IOException {
        Files.createDirectories(conf);
        try (Stream<Path> files = Files.list(distribution.resolve("config"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, conf.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.createDirectories(conf.resolve("jvm.options.d"));
        // Heap and log paths: the distribution's defaults write under its own folder.
        String jvm = Files.readString(conf.resolve("jvm.options"))
                .replace("-Xms1g", "-Xms512m").replace("-Xmx1g", "-Xmx512m")
                .replace("file=logs/gc.log", "file=" + dir.resolve("logs/gc.log"))
                .replace("-XX:HeapDumpPath=data", "-XX:HeapDumpPath=" + dir.resolve("data"))
                .replace("-XX:ErrorFile=logs/", "-XX:ErrorFile=" + dir.resolve("logs") + "/");
        Files.writeString(conf.resolve("jvm.options"), jvm);
        Files.writeString(conf.resolve("opensearch.yml"), String.join("\n",
                "cluster.name: neural-sparse-local",
                "node.name: local",
                "path.data: " + dir.resolve("data"),
                "path.logs: " + dir.resolve("logs"),
                "network.host: 127.0.0.1",
                "http.port: " + port,
                "transport.port: " + transportPort,
                "discovery.type: single-node",
                // a nearly full developer disk must not turn the index read-only mid-test
                "cluster.routing.allocation.disk.threshold_enabled: false",
                ""));
    }

    /** As root, the unprivileged user must be able to read the distribution: copy it to /var/tmp once. */
    private static Path readableCopy(Path distribution) throws IOException {
        Path target = Paths.get("/var/tmp/neural-sparse", distribution.getFileName().toString());
        if (Files.isRegularFile(target.resolve("lib/opensearch-" + version(distribution) + ".jar"))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        run("chmod", "755", target.getParent().toString());
        Path tmp = Files.createTempDirectory(target.getParent(), "copy");
        run("cp", "-a", distribution + "/.", tmp.toString());
        run("chmod", "-R", "a+rX", tmp.toString());
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private static String version(Path distribution) {
        String name = distribution.getFileName().toString();
        return name.substring(name.indexOf('-') + 1);
    }

    /** Gives the node's folder to the unprivileged user, which must be able to reach it. */
    private static void handOver(Path nodeDir) throws IOException {
        run("chown", "-R", UNPRIVILEGED_USER + ":nogroup", nodeDir.toString());
        run("chmod", "755", nodeDir.getParent().toString());
        for (Path p = nodeDir.getParent().getParent(); p != null; p = p.getParent()) {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                throw new StackException("OpenSearch runs as " + UNPRIVILEGED_USER + " (it refuses root) and cannot"
                        + " reach " + nodeDir + " because " + p + " is closed to other users; put the stack"
                        + " under /var/tmp or /tmp (--stack-dir)");
            }
        }
    }

    private static void run(String... command) throws IOException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
