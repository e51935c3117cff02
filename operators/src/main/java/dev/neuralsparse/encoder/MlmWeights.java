package dev.neuralsparse.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The tensors of a DistilBERT, BERT or GTE masked-LM, loaded from {@code model.safetensors} under the
 * names Hugging Face gives them, checked against {@code config.json}, converted to the compute
 * dtype and laid out for the forward pass (query, key and value fused into one projection, with
 * the attention scale folded into the query).
 */
final class MlmWeights implements AutoCloseable {
    static final String FILE = "model.safetensors";
    private static final Set<String> LOADABLE_DTYPES = Set.of("F32", "F16", "F64");

    /** The weights of one transformer block. */
    record Layer(
            NDArray qkvWeight, NDArray qkvBias,
            NDArray outWeight, NDArray outBias,
            NDArray attnNormWeight, NDArray attnNormBias,
            NDArray ffnInWeight, NDArray ffnInBias,
            NDArray ffnOutWeight, NDArray ffnOutBias,
            NDArray ffnNormWeight, NDArray ffnNormBias) {}

    final NDArray wordEmbeddings;
    final NDArray positionEmbeddings;
    /** Row 0 of the token-type table (BERT; every position is segment 0), else null. */
    final NDArray tokenTypeEmbedding;
    final NDArray embNormWeight;
    final NDArray embNormBias;
    final List<Layer> layers;
    final NDArray headDenseWeight;
    final NDArray headDenseBias;
    final NDArray headNormWeight;
    final NDArray headNormBias;
    /** The output projection: the word embeddings themselves when tied. */
    final NDArray decoderWeight;
    final NDArray decoderBias;

    private final NDManager manager;

    private MlmWeights(Loader l, ModelConfig cfg) {
        TensorNames n = TensorNames.of(cfg.architecture());
        int d = cfg.hiddenSize();
        manager = l.manager;
        wordEmbeddings = l.take(n.wordEmbeddings(), cfg.vocabSize(), d);
        // GTE has rotary positions (no table) and token types only when type_vocab_size > 0.
        positionEmbeddings = n.positionEmbeddings() == null ? null : l.take(n.positionEmbeddings(), cfg.maxPositions(), d);
        tokenTypeEmbedding = n.tokenTypeEmbeddings() == null || cfg.typeVocabSize() == 0
                ? null
                : l.keep(l.raw(n.tokenTypeEmbeddings(), cfg.typeVocabSize(), d).get(0));
        embNormWeight = l.norm(n.embeddingNorm(), true, d);
        embNormBias = l.norm(n.embeddingNorm(), false, d);
        layers = new ArrayList<>();
        double scale = 1.0 / Math.sqrt(cfg.headSize());
        for (int i = 0; i < cfg.layers(); i++) {
            layers.add(layer(l, n, i, d, cfg.intermediateSize(), scale, cfg.architecture() == Architecture.GTE));
        }
        String dense = l.has(n.headDense() + ".weight") ? n.headDense() : TensorNames.Gte.HEAD_DENSE_ALT;
        String norm = l.has(n.headNorm() + ".weight") || l.has(n.headNorm() + ".gamma")
                ? n.headNorm() : TensorNames.Gte.HEAD_NORM_ALT;
        headDenseWeight = l.take(dense + ".weight", d, d);
        headDenseBias = l.take(dense + ".bias", d);
        headNormWeight = l.norm(norm, true, d);
        headNormBias = l.norm(norm, false, d);
        decoderWeight = l.header.has(n.decoderWeight())
                ? l.take(n.decoderWeight(), cfg.vocabSize(), d)
                : wordEmbeddings; // tied to the word embeddings, as the shipped checkpoints are
        decoderBias = l.take(l.header.has(n.decoderBias()) ? n.decoderBias() : n.decoderBiasAlt(), cfg.vocabSize());
    }

    private static Layer layer(Loader l, TensorNames n, int i, int d, int ffn, double scale, boolean gated) {
        NDArray qkv;
        NDArray qkvb;
        if (n.key(i) == null) {
            // Already fused (GTE's qkv_proj): scale the query's rows. Rotary embeddings are linear,
            // so scaling the query before them equals scaling the scores after.
            NDArray w = l.raw(n.query(i) + ".weight", 3L * d, d);
            NDArray b = l.raw(n.query(i) + ".bias", 3L * d);
            qkv = w.get("0:" + d).mul(scale).concat(w.get(d + ":"));
            qkvb = b.get("0:" + d).mul(scale).concat(b.get(d + ":"));
        } else {
            // One (3d x d) projection instead of three: one larger matmul per layer keeps the device busier.
            qkv = l.raw(n.query(i) + ".weight", d, d).mul(scale)
                    .concat(l.raw(n.key(i) + ".weight", d, d))
                    .concat(l.raw(n.value(i) + ".weight", d, d));
            qkvb = l.raw(n.query(i) + ".bias", d).mul(scale)
                    .concat(l.raw(n.key(i) + ".bias", d))
                    .concat(l.raw(n.value(i) + ".bias", d));
        }
        // GTE's gated MLP: up and gate in one projection of twice the width, without a bias.
        int ffnInRows = gated ? 2 * ffn : ffn;
        return new Layer(
                l.keep(qkv), l.keep(qkvb),
                l.take(n.attnOut(i) + ".weight", d, d), l.take(n.attnOut(i) + ".bias", d),
                l.norm(n.attnNorm(i), true, d), l.norm(n.attnNorm(i), false, d),
                l.take(n.ffnIn(i) + ".weight", ffnInRows, d), gated ? null : l.take(n.ffnIn(i) + ".bias", ffn),
                l.take(n.ffnOut(i) + ".weight", d, ffn), l.take(n.ffnOut(i) + ".bias", d),
                l.norm(n.ffnNorm(i), true, d), l.norm(n.ffnNorm(i), false, d));
    }

    /**
     * Loads and validates the weights of {@code folder} into {@code manager} (whose device they
     * end up on) in {@code dtype}. Everything not kept is freed before returning.
     */
    static MlmWeights load(Path folder, ModelConfig cfg, NDManager manager, DataType dtype) {
        Path file = folder.resolve(FILE);
        SafetensorsHeader header = SafetensorsHeader.read(file);
        header.tensors().forEach((name, info) -> {
            if (!LOADABLE_DTYPES.contains(info.dtype()) && !name.endsWith("position_ids")) {
                throw new ModelLoadException("Tensor '" + name + "' in " + file + " has dtype " + info.dtype()
                        + ", which DJL 0.36 cannot load; convert the checkpoint to float32 or float16");
            }
        });
        try (NDManager staging = manager.newSubManager()) {
            NDList all;
            try (InputStream in = Files.newInputStream(file)) {
                all = NDList.decode(staging, in);
            } catch (IOException | RuntimeException e) {
                throw new ModelLoadException("Cannot read " + file + ": " + e.getMessage(), e);
            }
            Loader loader = new Loader(file, header, all, manager, dtype);
            return new MlmWeights(loader, cfg);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    /** Picks tensors by name out of the decoded file, checks shapes, converts and keeps them. */
    private static final class Loader {
        final Path file;
        final SafetensorsHeader header;
        final Map<String, NDArray> byName = new HashMap<>();
        final NDManager manager;
        final DataType dtype;

        Loader(Path file, SafetensorsHeader header, NDList all, NDManager manager, DataType dtype) {
            this.file = file;
            this.header = header;
            this.manager = manager;
            this.dtype = dtype;
            for (NDArray a : all) {
                byName.put(a.getName(), a);
            }
        }

        boolean has(String name) {
            return byName.containsKey(name);
        }

        NDArray take(String name, long... shape) {
            return keep(raw(name, shape));
        }

        /**
         * Converts to the compute dtype in storage of its own and moves it out of the staging
         * scope. Decoded tensors borrow the memory of a direct buffer that is freed with the
         * staging scope, and a same-dtype {@code toType} may still share it: {@code duplicate}
         * (torch clone) is what guarantees that a kept weight owns its memory.
         */
        NDArray keep(NDArray staged) {
            NDArray converted = staged.toType(dtype, false);
            NDArray kept = converted.duplicate();
            kept.attach(manager);
            return kept;
        }

        /** A validated tensor of the decoded file, still in the staging scope. */
        NDArray raw(String name, long... shape) {
            NDArray raw = byName.get(name);
            if (raw == null) {
                throw new ModelLoadException("Tensor '" + name + "' is missing from " + file);
            }
            if (!raw.getShape().equals(new Shape(shape))) {
                throw new ModelLoadException("Tensor '" + name + "' in " + file + " has shape "
                        + raw.getShape() + ", expected " + Arrays.toString(shape) + " from config.json");
            }
            return raw;
        }

        /** A LayerNorm parameter under its current name or the legacy gamma/beta one. */
        NDArray norm(String prefix, boolean weight, long size) {
            String current = prefix + (weight ? ".weight" : ".bias");
            String legacy = prefix + (weight ? ".gamma" : ".beta");
            return take(byName.containsKey(current) || !byName.containsKey(legacy) ? current : legacy, size);
        }
    }
}
