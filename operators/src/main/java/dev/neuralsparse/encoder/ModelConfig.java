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
        String activation,
        Rope rope) {

    /**
     * Rotary position embeddings (GTE): {@code theta}, and the fixed NTK scaling {@code factor}
     * (1 for none): base {@code theta * factor}, frequencies divided by {@code factor^(2/headSize)}.
     */
    public record Rope(double theta, double ntkFactor) {}

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
        switch (arch) {
            case DISTILBERT:
                return distilBert(json, file);
            case GTE:
                return gte(json, file);
            default:
                return bert(json, file);
        }
    }

    /**
     * GTE's {@code NewConfig}; what the forward does not implement is refused by name rather than
     * run differently from the reference (RMSNorm, absolute positions, log-n attention scaling,
     * mixed NTK scaling).
     */
    private static ModelConfig gte(JsonNode json, Path file) {
        refuseUnless(json.path("position_embedding_type").asText("rope").equals("rope"), file,
                "position_embedding_type '" + json.path("position_embedding_type").asText() + "' (only rope)");
        refuseUnless(json.path("layer_norm_type").asText("layer_norm").equals("layer_norm"), file,
                "layer_norm_type '" + json.path("layer_norm_type").asText() + "' (only layer_norm)");
        refuseUnless(!json.path("logn_attention_scale").asBoolean(false), file, "logn_attention_scale true");
        double factor = 1.0;
        JsonNode scaling = json.path("rope_scaling");
        if (!scaling.isMissingNode() && !scaling.isNull()) {
            boolean mixed = !scaling.path("mixed_b").isMissingNode() && !scaling.path("mixed_b").isNull();
            refuseUnless(scaling.path("type").asText().equals("ntk") && !mixed, file,
                    "rope_scaling " + scaling + " (only fixed ntk)");
            factor = scaling.path("factor").asDouble(1.0);
        }
        return bertLike(Architecture.GTE, json, file, 0, new Rope(json.path("rope_theta").asDouble(10000.0), factor));
    }

    private static void refuseUnless(boolean supported, Path file, String what) {
        if (!supported) {
            throw new ModelLoadException(file + ": " + what + " is not supported by this encoder's GTE forward");
        }
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
                json.path("activation").asText("gelu"),
                null);
    }

    private static ModelConfig bert(JsonNode json, Path file) {
        return bertLike(Architecture.BERT, json, file, 2, null);
    }

    /** BERT's config keys, which GTE's NewConfig shares. */
    private static ModelConfig bertLike(Architecture architecture, JsonNode json, Path file, int defaultTypeVocab, Rope rope) {
        return new ModelConfig(
                architecture,
                requireInt(json, "hidden_size", file),
                requireInt(json, "num_hidden_layers", file),
                requireInt(json, "num_attention_heads", file),
                requireInt(json, "intermediate_size", file),
                requireInt(json, "vocab_size", file),
                requireInt(json, "max_position_embeddings", file),
                json.path("type_vocab_size").asInt(defaultTypeVocab),
                json.path("layer_norm_eps").asDouble(1e-12),
                json.path("hidden_act").asText("gelu"),
                rope);
    }

    private static int requireInt(JsonNode json, String field, Path file) {
        JsonNode value = json.get(field);
        if (value == null || !value.canConvertToInt() || value.asInt() <= 0) {
            throw new ModelLoadException(file + " needs a positive integer '" + field + "'");
        }
        return value.asInt();
    }
}
