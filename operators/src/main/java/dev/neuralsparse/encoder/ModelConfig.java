package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The shape of a masked-LM as read from a Hugging Face {@code config.json}. DistilBERT and BERT
 * name the same quantities differently ({@code dim} vs {@code hidden_size}, ...); this type holds
 * them under one set of names.
 */
public record ModelConfig(
        Architecture architecture,
        int hiddenSize,
        int layers,
        int heads,
        int intermediateSize,
        int vocabSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        String activation) {

    /** DistilBERT's LayerNorms are built with a fixed eps, whatever the config says. */
    static final double DISTILBERT_LAYER_NORM_EPS = 1e-12;

    public ModelConfig {
        if (hiddenSize % heads != 0) {
            throw new ModelLoadException(
                    "hidden size " + hiddenSize + " is not a multiple of the " + heads + " attention heads");
        }
    }

    public int headSize() {
        return hiddenSize / heads;
    }

    /** Reads {@code config.json} in {@code folder}. */
    public static ModelConfig read(Path folder) {
        Path file = folder.resolve("config.json");
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("Model folder " + folder + " has no config.json", e);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot parse " + file + ": " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new ModelLoadException(file + " is not a JSON object");
        }
        JsonNode archs = json.path("architectures");
        if (!archs.isArray() || archs.isEmpty()) {
            throw new ModelLoadException(file + " has no 'architectures' entry");
        }
        Architecture arch = Architecture.fromConfigName(archs.get(0).asText(), file);
        return arch == Architecture.DISTILBERT ? distilBert(json, file) : bert(json, file);
    }

    private static ModelConfig distilBert(JsonNode json, Path file) {
        return new ModelConfig(
                Architecture.DISTILBERT,
                requireInt(json, "dim", file),
                requireInt(json, "n_layers", file),
                requireInt(json, "n_heads", file),
                requireInt(json, "hidden_dim", file),
                requireInt(json, "vocab_size", file),
                requireInt(json, "max_position_embeddings", file),
                0,
                DISTILBERT_LAYER_NORM_EPS,
                json.path("activation").asText("gelu"));
    }

    private static ModelConfig bert(JsonNode json, Path file) {
        return new ModelConfig(
                Architecture.BERT,
                requireInt(json, "hidden_size", file),
                requireInt(json, "num_hidden_layers", file),
                requireInt(json, "num_attention_heads", file),
                requireInt(json, "intermediate_size", file),
                requireInt(json, "vocab_size", file),
                requireInt(json, "max_position_embeddings", file),
                json.path("type_vocab_size").asInt(2),
                json.path("layer_norm_eps").asDouble(1e-12),
                json.path("hidden_act").asText("gelu"));
    }

    private static int requireInt(JsonNode json, String field, Path file) {
        JsonNode value = json.get(field);
        if (value == null || !value.canConvertToInt() || value.asInt() <= 0) {
            throw new ModelLoadException(file + " needs a positive integer '" + field + "'");
        }
        return value.asInt();
    }
}
