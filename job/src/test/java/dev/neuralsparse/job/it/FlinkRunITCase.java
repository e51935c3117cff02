package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neuralsparse.job.stack.FlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flink run} for real: a standalone session cluster (JobManager and TaskManager processes)
 * and the real CLI front end submitting the shaded job jar twice in a row. The second submission
 * runs in a new user-code class loader on the same TaskManager: it passes only if DJL's natives,
 * loaded once from lib/, are reused rather than loaded again.
 */
class FlinkRunITCase {
    private static FlinkCluster cluster;
    private static Path dir;
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        dir = Files.createTempDirectory(Paths.get("/tmp"), "neural-sparse-cluster-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        cluster = FlinkCluster.onFreePorts(FlinkCluster.defaultLib(), dir, 2);
        cluster.up(Duration.ofSeconds(120));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.down();
            TestStack.deleteTree(dir);
        }
    }

    @Test
    void theShadedJarRunsTwiceOnTheSameClusterThroughTheRealCli() throws Exception {
        String topic = clients.createTopicWithDeadLetters("flinkrun", 2);
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 300);
        clients.produce(topic, EnrichmentJobITCase.records(docs));
        Path jar = Paths.get(System.getProperty("neural.sparse.home", "..")).resolve("job/target/neural-sparse-flink.jar");
        assertThat(jar).exists();

        for (int run = 1; run <= 2; run++) {
            String index = topic + "-" + run;
            List<String> args = new ArrayList<>(List.of("run", jar.toString(),
                    "--kafka", TestStack.get().kafkaBootstrapServers(), "--opensearch", TestStack.get().opensearchUrl(),
                    "--topic", topic, "--dlq-topic", topic + "-dlq", "--index", index, "--group-id", index,
                    "--model", EnrichmentJobITCase.model(), "--text-fields", "title;text", "--parallelism", "2", "--bounded"));
            Path log = Files.createTempFile("flink-run-" + run, ".log");
            Process p = cluster.cli(args.toArray(new String[0]))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            boolean finished = p.waitFor(5, TimeUnit.MINUTES);
            String output = Files.readString(log);
            assertThat(finished).as("flink run %d finished:\n%s", run, output).isTrue();
            assertThat(p.exitValue()).as("flink run %d:\n%s", run, output).isZero();
            assertThat(output).contains("has finished");
            java.util.Map<String, JsonNode> indexed = clients.allDocuments(index);
            assertThat(indexed).as("index of run %d", run).hasSize(docs.size());
            EnrichmentJobITCase.assertVectorsMatchEncoder(indexed, docs);
        }
    }
}
