package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A v3 model in the sentence-transformers Router layout downloaded from a {@link LocalHub} (files
 * by their path in the repository), then encoded with its own recipe.
 */
class SentenceTransformersHubTest {
    private static final String REPO = "opensearch-project/tiny-distilbert-v3";

    @TempDir Path cache;
    @TempDir Path repo;
    private LocalHub hub;

    @AfterEach
    void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    /** The v3 fixture with the transformer moved into its module folder, as a Router can also save it. */
    private void layOutRepository() throws IOException {
        Path fixture = SharedFixtures.model("tiny-distilbert-v3");
        Files.createDirectories(repo.resolve("document_0_MLMTransformer"));
        Files.createDirectories(repo.resolve("document_1_SpladePooling"));
        for (String f : List.of("modules.json", "router_config.json", "idf.json", "document_1_SpladePooling/config.json")) {
            Files.copy(fixture.resolve(f), repo.resolve(f));
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(fixture.resolve(f), repo.resolve("document_0_MLMTransformer").resolve(f));
        }
    }

    @Test
    void aRouterModelIsDownloadedWithItsModulesAndEncodedWithItsOwnActivation() throws Exception {
        layOutRepository();
        EncoderSpec spec = EncoderSpec.builder().setModel(REPO).setCacheDir(cache.toString()).build();
        hub = LocalHub.serving(REPO, repo);
        Path folder = ModelResolver.builder().setEndpoint(hub.endpoint()).setCacheDir(cache).build().resolve(REPO);
        assertThat(hub.downloaded()).contains("modules.json", "router_config.json", "document_1_SpladePooling/config.json",
                "document_0_MLMTransformer/config.json", "document_0_MLMTransformer/model.safetensors");
        assertThat(folder.resolve("model.safetensors")).doesNotExist();

        hub.close(); // from here on, the cache alone
        hub = null;
        try (SparseEncoder encoder = SparseEncoder.open(spec)) {
            assertThat(encoder.recipe().activation()).isEqualTo(SparseRecipe.Activation.LOG1P_LOG1P_RELU);
            assertThat(encoder.recipe().transformerFolder()).isEqualTo(folder.resolve("document_0_MLMTransformer"));
            for (JsonNode doc : GoldenParityTest.expected("tiny-distilbert-v3")) {
                GoldenParityTest.assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
            }
        }
    }
}
