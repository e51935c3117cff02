package dev.neuralsparse.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neuralsparse.job.VectorAssertions;
import dev.neuralsparse.job.stack.StackLockTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end through {@link NeuralSparseCli#run}, on the shared golden fixtures. */
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path shared;

    @BeforeAll
    static void findShared() {
        shared = Paths.get(System.getProperty("shared.dir", "../shared")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(shared.resolve("models")), "../shared is absent (looked in " + shared + ")");
    }

    /** What one invocation printed. */
    record Result(int exit, String out, String err) {
        List<JsonNode> lines() throws IOException {
            List<JsonNode> out = new ArrayList<>();
            for (String line : this.out.split("\n")) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        }
    }

    private static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new NeuralSparseCli().run(args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> expectedDocs(String model) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(shared.resolve("models").resolve(model).resolve("expected_docs.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void encodeWritesReferenceVectorsInInputOrderAndReportsBadLines() throws IOException {
        List<JsonNode> expected = expectedDocs("tiny-bert");
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < expected.size(); i++) {
            ObjectNode doc = JSON.createObjectNode().put("id", "doc-" + i).put("text", expected.get(i).get("text").asText());
            input.append(JSON.writeValueAsString(doc)).append('\n');
            if (i == 3) {
                input.append("{broken json\n");
            }
            if (i == 7) {
                input.append("{\"id\": \"x\", \"text\": [\"not\", \"a string\"]}\n\n{\"id\": \"y\"}\n");
            }
        }
        Result r = run(input.toString(), "encode", "--model", shared.resolve("models/tiny-bert").toString(), "--token-budget", "1024");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("stdin line 5: not valid JSON", "stdin line 10: \"text\" is a array",
                "stdin line 12: no \"text\" field");
        List<JsonNode> lines = r.lines();
        assertThat(lines).hasSize(expected.size());
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i).get("id").asText()).isEqualTo("doc-" + i);
            assertVectorClose(lines.get(i).get("vector"), expected.get(i).get("doc_vector"), 1e-4);
        }
    }

    @Test
    void encodeWithIdKeysAndPruning() throws IOException {
        JsonNode doc = expectedDocs("tiny-distilbert").get(1);
        String input = JSON.writeValueAsString(JSON.createObjectNode().put("id", 7).put("text", doc.get("text").asText()));
        Result r = run(input, "encode", "--model", shared.resolve("models/tiny-distilbert").toString(), "--keys", "ids");
        assertThat(r.exit()).isZero();
        assertVectorClose(r.lines().get(0).get("vector"), doc.get("doc_vector_ids"), 1e-4);
        assertThat(r.lines().get(0).get("id").asInt()).isEqualTo(7);

        Result pruned = run(input, "encode", "--model", shared.resolve("models/tiny-distilbert").toString(), "--prune", "top_k:5");
        assertThat(pruned.lines().get(0).get("vector").size()).isEqualTo(5);
    }

    @Test
    void queryMatchesTheReference() throws IOException {
        List<String> lines = Files.readAllLines(shared.resolve("models/expected_queries.jsonl"));
        StringBuilder input = new StringBuilder();
        for (String line : lines) {
            input.append(JSON.writeValueAsString(JSON.createObjectNode().put("text", JSON.readTree(line).get("text").asText()))).append('\n');
        }
        Result r = run(input.toString(), "query", "--model", shared.resolve("models/tiny-distilbert").toString());
        assertThat(r.exit()).isZero();
        List<JsonNode> got = r.lines();
        assertThat(got).hasSize(lines.size());
        for (int i = 0; i < got.size(); i++) {
            assertVectorClose(got.get(i).get("vector"), JSON.readTree(lines.get(i)).get("query_vector"), 1e-6);
        }
    }

    @Test
    void usageErrorsNameTheOption() {
        Result unknown = run("", "encode", "--modle", "x");
        assertThat(unknown.exit()).isEqualTo(NeuralSparseCli.USAGE);
        assertThat(unknown.err()).contains("unknown option --modle for 'encode'");
        Result missing = run("", "encode");
        assertThat(missing.err()).contains("'encode' needs --model");
        Result bf16 = run("", "encode", "--model", "x", "--precision", "bf16");
        assertThat(bf16.err()).contains("bf16");
        Result noSuchModel = run("", "encode", "--model", "/no/such/dir");
        assertThat(noSuchModel.exit()).isEqualTo(1);
        assertThat(noSuchModel.err()).contains("/no/such/dir");
        assertThat(run("", "nonsense").err()).contains("unknown command 'nonsense'");
        assertThat(run("", "encode", "--help").out()).contains("--long-docs");
    }

    private static void assertVectorClose(JsonNode actual, JsonNode expected, double tolerance) {
        VectorAssertions.assertClose(VectorAssertions.floats(actual), VectorAssertions.floats(expected), tolerance, 0, "output");
    }

    @Test
    void runHelpRendersEveryOptionsDescriptionAndDefaultByGroup() throws Exception {
        String help = run("", "run", "--help").out();
        assertThat(help).doesNotContain("Description@").contains("Kafka:").contains("OpenSearch:")
                .contains("Model and encoder:").contains("Job:").contains("(default 127.0.0.1:9092)");
        for (org.apache.flink.configuration.ConfigOption<?> o : dev.neuralsparse.job.pipeline.JobOptions.ALL) {
            String described = JobCommandLine.describe(o);
            assertThat(described).as("description of --%s", o.key()).matches(".*[a-z]{3,}.*[a-z]{3,}.*");
            assertThat(help).as("--help lists --%s", o.key()).contains("--" + o.key() + " ");
            assertThat(help.replaceAll("\\s+", " ")).as("--help describes --%s", o.key())
                    .contains(described.split(" ")[0] + " " + described.split(" ")[1]);
        }
        assertThat(dev.neuralsparse.job.pipeline.JobOptions.ALL).doesNotHaveDuplicates();
    }

    @Test
    void benchPipelineFailsAtOnceWithoutStartingTheStackWhileAnotherRunHoldsIt(@TempDir Path dir) throws Exception {
        Process first = StackLockTest.holder(dir, "bench-pipeline");
        try {
            Result result = run("", "bench-pipeline", "--stack-dir", dir.toString());
            assertThat(result.exit()).isEqualTo(1);
            assertThat(result.err())
                    .startsWith("neural-sparse bench-pipeline: another bench-pipeline (pid " + first.pid() + ")");
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString())).as("nothing started in the stack directory")
                        .containsExactly("bench-pipeline.lock");
            }
        } finally {
            first.destroyForcibly();
        }
    }
}
