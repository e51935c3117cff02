package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.neuralsparse.job.stack.FlinkCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real processes failing under a running job: {@code flink run} of the shaded jar, parallelism 2,
 * on a standalone cluster of two TaskManager processes; mid-stream a TaskManager is killed with
 * SIGKILL, OpenSearch is frozen with SIGSTOP for 45 s, or the Kafka broker is restarted. Each
 * time the bounded job must finish by itself with every document indexed once with its vector and
 * nothing in the dead-letter topic. One cluster for the class; short heartbeats so that a lost
 * TaskManager is noticed in seconds (production keeps Flink's defaults: see the README).
 */
class ChaosITCase {
    private static final int DOCUMENTS = 2000;
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static TestCluster test;
    private static FlinkCluster cluster;
    private static StackClients clients;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        clients = new StackClients(TestStack.get().kafkaBootstrapServers(), TestStack.get().opensearchUrl());
        test = TestCluster.start(2, 2, Map.of(
                "heartbeat.interval", "1000",
                "heartbeat.timeout", "5000",
                "cluster.evenly-spread-out-slots", "true",
                "restart-strategy.type", "fixed-delay",
                "restart-strategy.fixed-delay.attempts", "40",
                "restart-strategy.fixed-delay.delay", "2 s"));
        cluster = test.cluster;
    }

    @AfterAll
    static void stop() {
        if (test != null) {
            test.close();
        }
    }

    /** A TaskManager killed by the previous test comes back, so each test starts with two. */
    @BeforeEach
    void bothTaskManagers() {
        cluster.up(Duration.ofSeconds(120));
    }

    /** A bounded job over the first {@value #DOCUMENTS} CACM documents, submitted with the real CLI, running. */
    private static final class RunningJob {
        final String topic;
        final Process process;
        final Path log;

        RunningJob(String prefix) throws Exception {
            topic = clients.createTopicWithDeadLetters(prefix, 2);
            clients.produce(topic, EnrichmentJobITCase.records(EnrichmentJobITCase.corpusSlice(0, DOCUMENTS)));
            log = Files.createTempFile(test.dir, prefix, ".log");
            process = test.submit(topic, topic, log, "--checkpoint-interval", "1s");
        }

        /** Waits until some documents, but not all, are in the index: the moment to break something. */
        void awaitMidStream() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (System.nanoTime() < deadline) {
                long indexed = count();
                if (indexed >= 200) {
                    assertThat(indexed).as("still mid-stream when the fault is injected").isLessThan(DOCUMENTS);
                    assertThat(process.isAlive()).isTrue();
                    return;
                }
                Thread.sleep(200);
            }
            throw new AssertionError("the job indexed nothing in 3 minutes:\n" + Files.readString(log));
        }

        long count() throws Exception {
            return clients.opensearch("GET", topic + "/_count", null).path("count").asLong();
        }

        /** The job finished by itself; each document is there once with its vector; no dead letter. */
        void assertFinishedWithEveryDocumentOnce() throws Exception {
            boolean finished = process.waitFor(6, TimeUnit.MINUTES);
            String output = Files.readString(log);
            assertThat(finished).as("flink run finished:\n%s", output).isTrue();
            assertThat(process.exitValue()).as("flink run:\n%s", output).isZero();
            Map<String, JsonNode> indexed = clients.allDocuments(topic);
            assertThat(count()).isEqualTo(DOCUMENTS);
            assertThat(indexed).hasSize(DOCUMENTS);
            EnrichmentJobITCase.assertVectorsMatchEncoder(indexed, EnrichmentJobITCase.corpusSlice(0, DOCUMENTS));
            assertThat(clients.consumeJson(topic + "-dlq", 1, Duration.ofSeconds(2))).as("dead letters").isEmpty();
        }

        /** How often the job failed over, from the JobManager's exception history. */
        int failovers() throws IOException, InterruptedException {
            Matcher m = JOB_ID.matcher(Files.readString(log));
            assertThat(m.find()).as("job id in the output of flink run").isTrue();
            var r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(cluster.restUrl() + "/jobs/" + m.group(1) + "/exceptions")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("exceptionHistory")
                    .path("entries").size();
        }
    }

    @Test
    void aTaskManagerKilledMidStreamIsSurvivedOnTheRemainingSlots() throws Exception {
        RunningJob job = new RunningJob("chaos-tm");
        job.awaitMidStream();
        ProcessHandle victim = cluster.taskManager(1).orElseThrow();
        assertThat(victim.destroyForcibly()).as("SIGKILL sent").isTrue();
        victim.onExit().get(30, TimeUnit.SECONDS);

        job.assertFinishedWithEveryDocumentOnce();
        assertThat(job.failovers()).as("the job failed over after the kill").isPositive();
        assertThat(cluster.taskManager(1)).isEmpty();
    }

    @Test
    void openSearchFrozenFor45SecondsIsWaitedOutWithoutLossOrDeadLetters() throws Exception {
        RunningJob job = new RunningJob("chaos-frozen");
        job.awaitMidStream();
        long pid = TestStack.get().opensearchProcess().pid();
        signal("STOP", pid);
        try {
            Thread.sleep(45_000);
        } finally {
            signal("CONT", pid);
        }
        job.assertFinishedWithEveryDocumentOnce();
    }

    @Test
    void theKafkaBrokerRestartedMidStreamIsSurvived() throws Exception {
        RunningJob job = new RunningJob("chaos-kafka");
        job.awaitMidStream();
        TestStack.get().restartKafka(Duration.ofSeconds(5));
        job.assertFinishedWithEveryDocumentOnce();
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
        assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
    }
}
