package dev.neuralsparse.job.it;

import dev.neuralsparse.job.stack.FlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A standalone Flink cluster for one test class, on free ports in a fresh folder under /tmp, and
 * {@code flink run} of the shaded job jar against the test stack through the real CLI front end.
 */
final class TestCluster implements AutoCloseable {
    final FlinkCluster cluster;
    final Path dir;

    private TestCluster(FlinkCluster cluster, Path dir) {
        this.cluster = cluster;
        this.dir = dir;
    }

    static TestCluster start(int slots, int taskManagers, Map<String, String> config) throws Exception {
        Path dir = Files.createTempDirectory(Paths.get("/tmp"), "neural-sparse-cluster-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        FlinkCluster cluster = FlinkCluster.onFreePorts(FlinkCluster.defaultLib(), dir, slots, taskManagers, config);
        cluster.up(Duration.ofSeconds(120));
        return new TestCluster(cluster, dir);
    }

    /**
     * Starts {@code flink run} (attached: it returns when a bounded job ends) of the tiny-model job
     * from {@code topic} to {@code index} with parallelism 2, output to {@code log}.
     */
    Process submit(String topic, String index, Path log, String... moreArgs) throws Exception {
        Path jar = Paths.get(System.getProperty("neural.sparse.home", "..")).resolve("job/target/neural-sparse-flink.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the ITs run after package");
        }
        List<String> args = new ArrayList<>(List.of("run", jar.toString(),
                "--kafka", TestStack.get().kafkaBootstrapServers(), "--opensearch", TestStack.get().opensearchUrl(),
                "--topic", topic, "--dlq-topic", topic + "-dlq", "--index", index, "--group-id", index,
                "--model", EnrichmentJobITCase.model(), "--text-fields", "title;text", "--parallelism", "2", "--bounded"));
        args.addAll(List.of(moreArgs));
        Process p = cluster.cli(args.toArray(new String[0])).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        return p;
    }

    @Override
    public void close() {
        cluster.down();
        TestStack.deleteTree(dir);
    }
}
