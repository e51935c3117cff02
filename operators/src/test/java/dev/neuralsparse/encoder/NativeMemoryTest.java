package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every tensor of a forward is freed: round after round of batches leaves no array behind in the
 * model's manager and resident memory reaches a plateau. RSS also holds the Java heap and DJL's
 * direct buffers, which are freed by the garbage collector, so each sample follows a GC and the
 * check is on growth between later rounds. A leaked (batch x vocab) result per forward would add
 * at least 90 MB per round here (over 90 forwards of 8 x 30,522 floats), 540 MB over the six
 * measured rounds; the bound of 96 MB leaves room for the allocators' arenas settling (measured:
 * 13 MB over 21 rounds alone, more when earlier tests of the same JVM are still being collected).
 */
class NativeMemoryTest {
    private static final int ROUNDS = 8;
    private static final int DOCS_PER_ROUND = 800;

    @Test
    void encodingRoundAfterRoundDoesNotGrowNativeMemory() throws IOException {
        List<String> texts = texts(DOCS_PER_ROUND);
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder()
                .setModel(SharedFixtures.model("tiny-bert").toString())
                .setTokenBudget(2048)
                .setMaxBatchSize(8) // many small forwards: a per-forward leak shows quickly
                .build())) {
            encoder.encode(texts);
            encoder.encode(texts);
            int arrays = encoder.liveArrayCount();
            long plateau = residentBytes();
            for (int round = 2; round < ROUNDS; round++) {
                encoder.encode(texts);
            }
            long growth = residentBytes() - plateau;
            assertThat(encoder.stats().forwards()).isGreaterThan(ROUNDS * 90L);
            assertThat(encoder.liveArrayCount()).isEqualTo(arrays);
            assertThat(encoder.stats().sequences()).isEqualTo((long) ROUNDS * DOCS_PER_ROUND);
            assertThat(growth).as("RSS growth in bytes over %d rounds", ROUNDS - 2).isLessThan(96L << 20);
        }
    }

    /** CACM titles and abstracts of middling length: real text, cheap enough for many rounds. */
    private static List<String> texts(int n) throws IOException {
        Path corpus = SharedFixtures.dir().resolve("data/cacm/corpus.jsonl");
        ObjectMapper json = new ObjectMapper();
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(corpus)) {
            JsonNode doc = json.readTree(line);
            out.add(doc.path("title").asText() + " " + doc.path("text").asText());
        }
        out.sort((a, b) -> Integer.compare(a.length(), b.length()));
        return out.subList(out.size() / 2 - n / 2, out.size() / 2 + n / 2);
    }

    private static long residentBytes() throws IOException {
        System.gc();
        try {
            Thread.sleep(200); // let the cleaner free direct buffers the GC found unreachable
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
