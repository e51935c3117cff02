package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken model folders and bad options fail with messages that name the file, tensor or option. */
class BadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path tmp;

    /** A copy of a fixture model folder, to break. */
    private Path copyOf(String model) throws IOException {
        Path source = SharedFixtures.model(model);
        Path target = tmp.resolve(model);
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, target.resolve(f.getFileName()));
            }
        }
        return target;
    }

    private void editConfig(Path folder, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(folder.resolve("config.json").toFile());
        edit.accept(config);
        JSON.writeValue(folder.resolve("config.json").toFile(), config);
    }

    private static SparseEncoder open(Path folder) {
        return SparseEncoder.open(EncoderSpec.builder().setModel(folder.toString()).build());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Path folder = copyOf("tiny-distilbert");
            Files.delete(folder.resolve(file));
            assertThatThrownBy(() -> open(folder)).isInstanceOf(ModelLoadException.class).hasMessageContaining(file);
            deleteTree(folder);
        }
    }

    @Test
    void corruptFilesAreNamed() throws IOException {
        Path folder = copyOf("tiny-bert");
        Files.writeString(folder.resolve("config.json"), "{not json");
        assertThatThrownBy(() -> open(folder)).hasMessageContaining("config.json");

        Path truncated = copyOf("tiny-distilbert");
        byte[] weights = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 3));
        assertThatThrownBy(() -> open(truncated)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("truncated or corrupt");
    }

    @Test
    void unknownArchitectureIsNamed() throws IOException {
        Path folder = copyOf("tiny-bert");
        editConfig(folder, c -> c.putArray("architectures").add("RobertaForMaskedLM"));
        assertThatThrownBy(() -> open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("RobertaForMaskedLM")
                .hasMessageContaining("DistilBertForMaskedLM, BertForMaskedLM");
    }

    @Test
    void wrongShapeNamesTheTensor() throws IOException {
        Path folder = copyOf("tiny-distilbert");
        editConfig(folder, c -> c.put("hidden_dim", 128));
        assertThatThrownBy(() -> open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("distilbert.transformer.layer.0.ffn.lin1.weight")
                .hasMessageContaining("(64, 32)");
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        Path folder = copyOf("tiny-bert");
        dropTensor(folder.resolve("model.safetensors"), "bert.encoder.layer.1.output.dense.bias");
        assertThatThrownBy(() -> open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Tensor 'bert.encoder.layer.1.output.dense.bias' is missing");
    }

    @Test
    void legacyLayerNormNamesAreAccepted() throws IOException {
        Path folder = copyOf("tiny-bert");
        renameTensor(folder.resolve("model.safetensors"), "bert.embeddings.LayerNorm.weight", "bert.embeddings.LayerNorm.gamma");
        renameTensor(folder.resolve("model.safetensors"), "bert.embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.beta");
        try (SparseEncoder encoder = open(folder)) {
            var doc = GoldenParityTest.expected("tiny-bert").get(1);
            GoldenParityTest.assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
        }
    }

    @Test
    void badOptionsAreNamed() {
        String model = SharedFixtures.model("tiny-distilbert").toString();
        assertThatThrownBy(() -> EncoderSpec.builder().setModel(model).setPrecision(Precision.FP16).build())
                .hasMessageContaining("fp16").hasMessageContaining("GPU");
        assertThatThrownBy(() -> MaskedLanguageModel.load(SharedFixtures.model("tiny-bert"), ai.djl.Device.cpu(), Precision.FP16))
                .hasMessageContaining("fp16");
        assertThatThrownBy(() -> Precision.parse("bf16")).hasMessageContaining("bf16").hasMessageContaining("DJL");
        assertThatThrownBy(() -> DeviceSpec.parse("tpu")).hasMessageContaining("'tpu'");
        assertThatThrownBy(() -> DeviceSpec.parse("gpu:3").resolve()).hasMessageContaining("gpu:3");
        assertThatThrownBy(() -> LongDocuments.parse("sliding")).hasMessageContaining("'sliding'");
        assertThatThrownBy(() -> LongDocuments.chunkedMax(510, 600)).hasMessageContaining("stride");
        assertThatThrownBy(() -> EncoderSpec.builder().setModel(model).setTokenBudget(100).build())
                .hasMessageContaining("token budget 100");
        assertThatThrownBy(() -> EncoderSpec.builder().build()).hasMessageContaining("model is required");
    }

    @Test
    void nullTextIsAClearErrorAndTheEncoderStillWorks() {
        try (SparseEncoder encoder = open(SharedFixtures.model("tiny-distilbert"))) {
            assertThatThrownBy(() -> encoder.encode(Arrays.asList("fine", null)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 1 is null");
            assertThatThrownBy(() -> encoder.tokenize(null)).hasMessageContaining("null");
            assertThat(encoder.encode("fine").size()).isPositive();
        }
    }

    /** Rewrites a safetensors file without one tensor (its bytes stay, unreferenced). */
    private static void dropTensor(Path file, String name) throws IOException {
        rewriteHeader(file, header -> header.remove(name));
    }

    private static void renameTensor(Path file, String from, String to) throws IOException {
        rewriteHeader(file, header -> header.set(to, header.remove(from)));
    }

    private static void rewriteHeader(Path file, Consumer<ObjectNode> edit) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int headerLength = (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        ObjectNode header = (ObjectNode) JSON.readTree(new String(all, 8, headerLength, StandardCharsets.UTF_8));
        edit.accept(header);
        StringBuilder json = new StringBuilder(JSON.writeValueAsString(header));
        while ((json.length() + 8) % 8 != 0) {
            json.append(' '); // safetensors pads the header so the data stays 8-byte aligned
        }
        byte[] newHeader = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + newHeader.length + all.length - 8 - headerLength).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(newHeader.length).put(newHeader).put(all, 8 + headerLength, all.length - 8 - headerLength);
        Files.write(file, out.array());
    }

    private static void deleteTree(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.delete(f);
            }
        }
        Files.delete(folder);
    }
}
