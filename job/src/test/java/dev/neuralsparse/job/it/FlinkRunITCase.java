package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    private static TestCluster cluster;
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        cluster = TestCluster.start(2, 1, Map.of());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theShadedJarRunsTwiceOnTheSameClusterThroughTheRealCli() throws Exception {
        String topic = clients.createTopicWithDeadLetters("flinkrun", 2);
        List<JsonNode> docs = EnrichmentJobITCase.corpusSlice(0, 300);
        clients.produce(topic, EnrichmentJobITCase.records(docs));

        for (int run = 1; run <= 2; run++) {
            String index = topic + "-" + run;
            Path log = Files.createTempFile(cluster.dir, "flink-run-" + run, ".log");
            Process p = cluster.submit(topic, index, log);
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
