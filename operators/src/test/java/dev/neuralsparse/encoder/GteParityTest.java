package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GTE ({@code NewForMaskedLM}) forward against an independent Python reference
 * (operators/src/test/python/make_tiny_gte.py): rotary embeddings with fixed NTK scaling, the
 * fused QKV projection, the gated MLP, token types, the LM head, in the sentence-transformers
 * folder with log1p_relu that doc-v3-gte ships. Every weight within 1e-4, the same tokens.
 */
class GteParityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;

    static Path folder() throws Exception {
        return RepoFixtures.folder("tiny-gte");
    }

    private static List<JsonNode> expected() throws Exception {
        return RepoFixtures.expected("tiny-gte");
    }

    @Test
    void encodesLikeTheReferenceAloneAndInOnePaddedBatch() throws Exception {
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(folder().toString()).build())) {
            assertThat(encoder.modelConfig().architecture()).isEqualTo(Architecture.GTE);
            assertThat(encoder.recipe().activation()).isEqualTo(SparseRecipe.Activation.LOG1P_LOG1P_RELU);
            List<String> texts = new ArrayList<>();
            for (JsonNode doc : expected()) {
                texts.add(doc.get("text").asText());
                GoldenParityTest.assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
            }
            List<SparseVector> batched = encoder.encode(texts);
            for (int i = 0; i < texts.size(); i++) {
                GoldenParityTest.assertMatches(expected().get(i), batched.get(i), encoder.vocabulary());
            }
            assertThat(encoder.describe()).contains("NewForMaskedLM").contains("log1p_relu");
        }
    }

    @Test
    void theLaterPortsHeadNamesLoadTheSameModel() throws Exception {
        for (String f : List.of("config.json", "tokenizer.json", "modules.json")) {
            Files.copy(folder().resolve(f), dir.resolve(f));
        }
        Files.createDirectories(dir.resolve("1_SpladePooling"));
        Files.copy(folder().resolve("1_SpladePooling/config.json"), dir.resolve("1_SpladePooling/config.json"));
        SafetensorsWriter renamed = new SafetensorsWriter();
        readFloat32(folder().resolve("model.safetensors")).forEach((name, tensor) -> renamed.put(
                name.replace("lm_head.dense.", "lm_head.transform.0.").replace("lm_head.norm.", "lm_head.transform.2."),
                tensor.values(), tensor.shape()));
        renamed.write(dir.resolve("model.safetensors"));
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(dir.toString()).build())) {
            JsonNode doc = expected().get(0);
            GoldenParityTest.assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
        }
    }

    @Test
    void rowsPaddedPastTheTokenizersVocabularyNeverEnterAVector() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree(folder().resolve("config.json").toFile());
        int vocab = config.get("vocab_size").asInt();
        config.put("vocab_size", vocab + 8); // as GTE pads 30,522 tokens to 30,528 rows
        Files.writeString(dir.resolve("config.json"), config.toString());
        for (String f : List.of("tokenizer.json", "modules.json")) {
            Files.copy(folder().resolve(f), dir.resolve(f));
        }
        Files.createDirectories(dir.resolve("1_SpladePooling"));
        Files.copy(folder().resolve("1_SpladePooling/config.json"), dir.resolve("1_SpladePooling/config.json"));
        SafetensorsWriter padded = new SafetensorsWriter();
        for (var e : readFloat32(folder().resolve("model.safetensors")).entrySet()) {
            Tensor t = e.getValue();
            if (e.getKey().equals("new.embeddings.word_embeddings.weight") || e.getKey().equals("lm_head.decoder.bias")) {
                long width = t.shape().length == 2 ? t.shape()[1] : 1;
                float[] more = java.util.Arrays.copyOf(t.values(), (int) ((vocab + 8) * width));
                java.util.Arrays.fill(more, t.values().length, more.length, 50f); // the largest logits of all
                long[] shape = t.shape().clone();
                shape[0] = vocab + 8;
                padded.put(e.getKey(), more, shape);
            } else {
                padded.put(e.getKey(), t.values(), t.shape());
            }
        }
        padded.write(dir.resolve("model.safetensors"));
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(dir.toString()).build())) {
            for (JsonNode doc : expected().subList(0, 3)) {
                SparseVector v = encoder.encode(doc.get("text").asText());
                GoldenParityTest.assertMatches(doc, v, encoder.vocabulary());
                for (int i = 0; i < v.size(); i++) {
                    assertThat(v.id(i)).isLessThan(vocab);
                }
            }
        }
    }

    @Test
    void fewerRowsThanTokensIsRefused() throws Exception {
        ObjectNode config = (ObjectNode) JSON.readTree(folder().resolve("config.json").toFile());
        config.put("vocab_size", config.get("vocab_size").asInt() - 1);
        Files.writeString(dir.resolve("config.json"), config.toString());
        for (String f : List.of("tokenizer.json", "model.safetensors")) {
            Files.copy(folder().resolve(f), dir.resolve(f));
        }
        assertThatThrownBy(() -> SparseEncoder.open(EncoderSpec.builder().setModel(dir.toString()).build()))
                .isInstanceOf(ModelLoadException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains("has vocab_size 263").contains("264 tokens")
                        .doesNotContain("Tensor")); // refused for the vocabulary, not a shape it then trips on
    }

    private record Tensor(float[] values, long[] shape) {}

    /** A float32 safetensors file as name -> values (test fixtures only; the encoder reads with DJL). */
    private static java.util.Map<String, Tensor> readFloat32(Path file) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buf.getLong(0);
        JsonNode header = JSON.readTree(new String(bytes, 8, headerLength, java.nio.charset.StandardCharsets.UTF_8));
        java.util.Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        header.fields().forEachRemaining(e -> {
            if (e.getKey().equals("__metadata__")) {
                return;
            }
            long[] shape = new long[e.getValue().get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.getValue().get("shape").get(i).asLong();
            }
            int from = 8 + headerLength + e.getValue().get("data_offsets").get(0).asInt();
            int to = 8 + headerLength + e.getValue().get("data_offsets").get(1).asInt();
            float[] values = new float[(to - from) / 4];
            for (int i = 0; i < values.length; i++) {
                values[i] = buf.getFloat(from + 4 * i);
            }
            out.put(e.getKey(), new Tensor(values, shape));
        });
        return out;
    }

    @Test
    void whatTheForwardDoesNotImplementIsRefusedByName() throws Exception {
        for (String[] change : new String[][] {
            {"layer_norm_type", "\"rms_norm\""}, {"position_embedding_type", "\"absolute\""},
            {"logn_attention_scale", "true"}, {"rope_scaling", "{\"type\": \"ntk\", \"factor\": 2.0, \"mixed_b\": 0.5}"},
            {"rope_scaling", "{\"type\": \"dynamic\", \"factor\": 2.0}"}}) {
            ObjectNode config = (ObjectNode) JSON.readTree(folder().resolve("config.json").toFile());
            config.set(change[0], JSON.readTree(change[1]));
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), config.toString());
            assertThatThrownBy(() -> ModelConfig.read(dir)).as(change[0]).isInstanceOf(ModelLoadException.class)
                    .hasMessageContaining("not supported by this encoder's GTE forward");
        }
    }
}
