package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/gpu-check --device cpu}: the CPU side of every check the command makes on a GPU
 * machine, as a user runs it, against the real Kafka and OpenSearch of the tests; and a failing
 * check makes it exit 1 with a FAIL line while the others still run.
 */
class GpuCheckITCase {
    private static Path logs;

    @BeforeAll
    static void start() throws Exception {
        EnrichmentJobITCase.start();
        logs = Files.createTempDirectory("gpu-check");
    }

    @Test
    void everyCpuSideCheckPassesWithOneLineEach() throws Exception {
        Processes.Result r = Processes.neuralSparse(logs, Map.of(), "gpu-check", "--device", "cpu", "--docs", "6",
                "--budgets", "1024", "--kafka", TestStack.get().kafkaBootstrapServers(),
                "--opensearch", TestStack.get().opensearchUrl());
        assertThat(r.exitCode()).as("gpu-check:\n%s", r.output()).isZero();
        assertThat(r.output())
                .containsPattern("PASS engine: PyTorch [0-9.]+, 0 GPU\\(s\\)")
                .containsPattern("PASS parity fp32 tiny-distilbert: \\d+ documents, max \\|difference\\| ")
                .contains("PASS parity fp32 tiny-bert: ")
                .contains("SKIP parity fp16 tiny-distilbert: fp16 needs a GPU")
                .containsPattern("PASS bench fp32 budget 1024: 6 abstracts, [0-9.]+ docs/s, MFU [0-9.]+")
                .contains("PASS job: 200 documents through Kafka -> job -> OpenSearch")
                .doesNotContain("FAIL");
    }

    @Test
    void aFailingCheckIsAFailLineAndExitCodeOneAndTheOthersStillRun() throws Exception {
        Processes.Result r = Processes.neuralSparse(logs, Map.of(), "gpu-check", "--device", "cpu", "--only",
                "engine,bench", "--docs", "2", "--budgets", "100,1024");
        assertThat(r.exitCode()).as("gpu-check:\n%s", r.output()).isEqualTo(1);
        assertThat(r.output()).contains("FAIL bench fp32 budget 100: token budget 100 is below one full-length sequence")
                .contains("PASS bench fp32 budget 1024: ").contains("PASS engine: ");

        Processes.Result gpu = Processes.neuralSparse(logs, Map.of(), "gpu-check", "--only", "engine");
        assertThat(gpu.exitCode()).as("gpu-check without a GPU:\n%s", gpu.output()).isEqualTo(1);
        assertThat(gpu.output()).contains("FAIL engine: PyTorch").contains("sees no GPU");
    }
}
