package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.neuralsparse.job.stack.LocalStack;
import java.net.URI;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/neural-sparse bench-pipeline}, as a user runs it, against the stack of the tests: it
 * prints the host path's figures and leaves none of the topics and indexes of its jobs behind
 * (before, they filled the disk of the machine the benchmarks ran on), nor those an interrupted
 * run left.
 */
class BenchPipelineITCase {

    @BeforeAll
    static void shareTheStack() throws Exception {
        EnrichmentJobITCase.start();
    }

    @Test
    void printsTheHostPathAndLeavesNoTopicOrIndexBehind() throws Exception {
        LocalStack stack = TestStack.get();
        StackClients clients = new StackClients(stack.kafkaBootstrapServers(), stack.opensearchUrl());
        // What a run interrupted in its first round leaves: the topics and the index of its job.
        clients.createTopicWithDeadLetters("bench-job-1-rl1", 2);
        clients.opensearch("PUT", "bench-job-1-rl1", null);
        Processes.Result r = Processes.neuralSparse(Files.createTempDirectory("bench-pipeline"), Map.of(), "bench-pipeline",
                "--host-path-only", "--docs", "40", "--copies", "2", "--rounds", "1", "--stack-dir", stack.dir().toString(),
                "--kafka-port", Integer.toString(URI.create("kafka://" + stack.kafkaBootstrapServers()).getPort()),
                "--opensearch-port", Integer.toString(URI.create(stack.opensearchUrl()).getPort()));

        assertThat(r.exitCode()).as("bench-pipeline:\n%s", r.output()).isZero();
        // At 40 documents the marginal figures are noise, negative at times: only their form is checked.
        assertThat(r.output()).containsPattern("round 1: 40 docs in [0-9.]+ s, 80 in [0-9.]+ s: marginal -?[0-9.]+ docs/s;"
                + " host path -?[0-9.]+ us/doc at the margin");
        assertThat(r.output()).contains("deleted what an interrupted run left: topics [bench-job-1-rl1-")
                .contains(", indexes [bench-job-1-rl1]");
        assertThat(clients.opensearch("GET", "_cat/indices/bench-*?format=json", null)).as("indexes left").isEmpty();
        assertThat(clients.topics()).as("topics left").noneMatch(t -> t.startsWith("bench-"));
    }
}
