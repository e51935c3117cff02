package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated models of bench and the offline demo load like downloaded ones and are calibrated. */
class RandomDistilBertTest {
    @TempDir Path dir;

    @Test
    void aGeneratedModelLoadsAndActivatesAboutOnePercentOfTheVocabulary() throws Exception {
        Path fixture = SharedFixtures.model("tiny-distilbert");
        List<String> texts = GoldenParityTest.expected("tiny-distilbert").stream()
                .map(d -> d.get("text").asText()).filter(t -> !t.isBlank()).collect(Collectors.toList());
        Path folder = new RandomDistilBert(16, 1, 2, 32).write(dir.resolve("model"), fixture.resolve("tokenizer.json"),
                fixture.resolve("idf.json"), 42, texts.subList(0, 16));

        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(folder.toString()).build())) {
            assertThat(encoder.modelConfig().hiddenSize()).isEqualTo(16);
            double active = 0;
            for (SparseVector v : encoder.encode(texts)) {
                active += v.size();
            }
            double fraction = active / texts.size() / encoder.vocabulary().size();
            // calibrated to the 98.5% quantile of the pooled logits: about 1.5% active, as a trained model
            assertThat(fraction).isBetween(0.005, 0.05);
        }
        assertThat(folder.resolve("idf.json")).exists();
    }
}
