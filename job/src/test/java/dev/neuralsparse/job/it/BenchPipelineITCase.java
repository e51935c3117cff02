package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.neuralsparse.job.stack.LocalStack;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/neural-sparse bench-pipeline}, as a user runs it, against the stack of the tests: it
 * prints the host path's figures and leaves none of the topics and indexes of its jobs behind
 * (before, they filled the disk of the machine the benchmarks ran on), nor those an interrupted
 * run left. With {@code --job-cpus} and {@code --server-cpus} it puts the servers back on the CPUs
 * they had, every thread of them.
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
        SortedSet<String> opensearchCpus = cpus(stack.opensearchProcess());
        SortedSet<String> kafkaCpus = cpus(stack.kafkaProcess());
        Processes.Result r = Processes.neuralSparse(Files.createTempDirectory("bench-pipeline"), Map.of(), "bench-pipeline",
                "--host-path-only", "--docs", "40", "--copies", "2", "--rounds", "1", "--stack-dir", stack.dir().toString(),
                "--job-cpus", "0", "--server-cpus", "0", // CPU 0 is on every machine; where they were is checked below
                "--kafka-port", Integer.toString(URI.create("kafka://" + stack.kafkaBootstrapServers()).getPort()),
                "--opensearch-port", Integer.toString(URI.create(stack.opensearchUrl()).getPort()));

        assertThat(r.exitCode()).as("bench-pipeline:\n%s", r.output()).isZero();
        // At 40 documents the marginal figures are noise, negative at times: only their form is checked.
        assertThat(r.output()).containsPattern("round 1: 40 docs in [0-9.]+ s, 80 in [0-9.]+ s: marginal -?[0-9.]+ docs/s;"
                + " host path -?[0-9.]+ us/doc at the margin");
        assertThat(r.output()).contains("deleted what an interrupted run left: topics [bench-job-1-rl1-");
        assertThat(r.output()).contains("this JVM on CPUs 0, the local servers (2 processes and their children) on CPUs 0");
        assertThat(cpus(stack.opensearchProcess())).as("OpenSearch's CPUs after the run").isEqualTo(opensearchCpus);
        assertThat(cpus(stack.kafkaProcess())).as("Kafka's CPUs after the run").isEqualTo(kafkaCpus);
        assertThat(clients.opensearch("GET", "_cat/indices/bench-*?format=json", null)).as("indexes left").isEmpty();
        assertThat(topics(stack.kafkaBootstrapServers())).as("topics left").noneMatch(t -> t.startsWith("bench-"));
    }

    /** The CPU lists of {@code process}'s threads and its children's (threads come and go: each list once). */
    private static SortedSet<String> cpus(ProcessHandle process) throws Exception {
        SortedSet<String> lists = new TreeSet<>();
        for (ProcessHandle p : Stream.concat(Stream.of(process), process.descendants()).toList()) {
            Process taskset = new ProcessBuilder("taskset", "-a", "-cp", Long.toString(p.pid())).redirectErrorStream(true).start();
            String out = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(taskset.waitFor()).as("taskset: %s", out).isZero();
            out.lines().map(l -> l.substring(l.indexOf(':') + 1).strip()).forEach(lists::add);
        }
        return lists;
    }

    private static List<String> topics(String kafka) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            return List.copyOf(admin.listTopics().names().get());
        }
    }
}
