package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a model folder says about its recipe, read or refused, never guessed. */
class SparseRecipeTest {
    @TempDir Path dir;

    private Path copyOf(String fixture) throws IOException {
        Path source = SharedFixtures.model(fixture);
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.toList()) {
                Path target = dir.resolve(source.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return dir;
    }

    @Test
    void aFolderWithoutSentenceTransformersFilesKeepsTheModelCardsRecipe() {
        SparseRecipe recipe = SparseRecipe.read(SharedFixtures.model("tiny-distilbert"));
        assertThat(recipe.activation()).isEqualTo(SparseRecipe.Activation.LOG1P_RELU);
        assertThat(recipe.describe()).contains("model card");
    }

    @Test
    void theV3RouterFolderFollowsItsDocumentRouteAndSpladePoolingConfig() {
        Path v3 = SharedFixtures.model("tiny-distilbert-v3");
        SparseRecipe recipe = SparseRecipe.read(v3);
        assertThat(recipe.activation()).isEqualTo(SparseRecipe.Activation.LOG1P_LOG1P_RELU);
        assertThat(recipe.transformerFolder()).isEqualTo(v3);
        assertThat(recipe.describe()).contains("log1p_relu").contains("router_config.json")
                .contains("document_1_SpladePooling/config.json");
    }

    @Test
    void aPlainSparseEncoderFolderWithModuleFoldersIsReadToo() throws IOException {
        Path folder = copyOf("tiny-distilbert");
        Files.writeString(folder.resolve("modules.json"), "[{\"idx\": 0, \"name\": \"0\", \"path\": \"\", \"type\":"
                + " \"sentence_transformers.sparse_encoder.models.MLMTransformer\"}, {\"idx\": 1, \"name\": \"1\", \"path\":"
                + " \"1_SpladePooling\", \"type\": \"sentence_transformers.sparse_encoder.models.SpladePooling\"}]");
        Files.createDirectories(folder.resolve("1_SpladePooling"));
        Files.writeString(folder.resolve("1_SpladePooling/config.json"),
                "{\"pooling_strategy\": \"max\", \"activation_function\": \"relu\"}");
        assertThat(SparseRecipe.read(folder).activation()).isEqualTo(SparseRecipe.Activation.LOG1P_RELU);
    }

    @Test
    void whatTheEncoderCannotDoIsRefusedNamingTheFileAndTheValue() throws IOException {
        Path folder = copyOf("tiny-distilbert-v3");
        Path pooling = folder.resolve("document_1_SpladePooling/config.json");
        Files.writeString(pooling, "{\"pooling_strategy\": \"max\", \"activation_function\": \"gelu\"}");
        assertThatThrownBy(() -> SparseRecipe.read(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(pooling.toString()).hasMessageContaining("activation_function 'gelu'");
        Files.writeString(pooling, "{\"pooling_strategy\": \"sum\", \"activation_function\": \"relu\"}");
        assertThatThrownBy(() -> SparseRecipe.read(folder)).hasMessageContaining("pooling_strategy 'sum'");
        Files.writeString(folder.resolve("router_config.json"), Files.readString(folder.resolve("router_config.json"))
                .replace("sentence_transformers.sparse_encoder.models.SpladePooling", "sentence_transformers.models.Pooling"));
        assertThatThrownBy(() -> SparseRecipe.read(folder)).hasMessageContaining("module type"
                + " 'sentence_transformers.models.Pooling' on the document route is not supported");
    }

    @Test
    void theV3ModelGivesItsOwnVectorsNotTheV2Ones() {
        try (SparseEncoder v2 = SparseEncoder.open(EncoderSpec.builder().setModel(SharedFixtures.model("tiny-distilbert")
                .toString()).build());
                SparseEncoder v3 = SparseEncoder.open(EncoderSpec.builder().setModel(SharedFixtures.model("tiny-distilbert-v3")
                        .toString()).build())) {
            SparseVector a = v2.encode("Currently New York is rainy.");
            SparseVector b = v3.encode("Currently New York is rainy.");
            assertThat(b.size()).isEqualTo(a.size());
            for (int i = 0; i < a.size(); i++) {
                assertThat((double) b.weight(i)).isCloseTo(Math.log1p(a.weight(i)), org.assertj.core.data.Offset.offset(1e-5));
            }
            assertThat(List.of(v3.recipe().activation())).containsExactly(SparseRecipe.Activation.LOG1P_LOG1P_RELU);
        }
    }
}
