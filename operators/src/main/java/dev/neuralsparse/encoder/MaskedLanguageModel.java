package dev.neuralsparse.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The forward pass of a DistilBERT or BERT masked-LM written with DJL NDArray operations on the
 * PyTorch engine, up to the pooling of the sparse-encoding recipe: the maximum over positions of
 * the masked logits. Device and dtype are parameters: the CPU and GPU paths are the same code.
 *
 * <p>Not thread-safe: one thread owns a model (and its device). Every tensor a forward creates is
 * attached to the caller's scope, or to a per-layer scope closed inside the call, so nothing
 * native outlives the caller's {@link NDManager}.
 */
public final class MaskedLanguageModel implements AutoCloseable {
    private final ModelConfig config;
    private final MlmWeights weights;
    private final DataType dtype;
    private final Device device;
    private final NDManager manager;
    private final Blocking blocking;

    /**
     * How a forward pass is cut into blocks on a device: the one place where the CPU and GPU paths
     * differ in shape. A CPU is fastest when a block's intermediates stay in its caches: it runs the
     * whole model over micro-batches of about {@code microBatchTokens} (whole rows, each micro-batch
     * padded only to its own longest row), so the attention scores and the feed-forward
     * activations of a micro-batch are a few MB, and cuts a row that ends inside a head block to
     * its real positions, so padding is never projected. A GPU wants few, large kernels: the whole
     * batch at once, and each head block of up to 8,192 positions as one padded matmul with the
     * padding masked out of the max (one launch instead of one per row).
     *
     * @param microBatchTokens padded tokens per micro-batch (at least one row); 0: the whole batch
     * @param headBlockTokens positions per block of the vocabulary projection
     * @param paddedHead one padded, masked matmul per head block instead of rows cut to length
     */
    record Blocking(int microBatchTokens, long headBlockTokens, boolean paddedHead) {
        static final Blocking CPU = new Blocking(512, 256, false);
        static final Blocking GPU = new Blocking(0, 8192, true);

        static Blocking of(Device device) {
            return device.isGpu() ? GPU : CPU;
        }
    }

    private MaskedLanguageModel(ModelConfig config, MlmWeights weights, DataType dtype, Device device, NDManager manager,
            Blocking blocking) {
        this.config = config;
        this.weights = weights;
        this.dtype = dtype;
        this.device = device;
        this.manager = manager;
        this.blocking = blocking;
    }

    /** Loads {@code folder} (config.json + model.safetensors) onto {@code device} in {@code precision}. */
    public static MaskedLanguageModel load(Path folder, Device device, Precision precision) {
        if (precision == Precision.FP16 && !device.isGpu()) {
            throw new IllegalArgumentException(
                    "precision fp16 needs a GPU device, but the device is " + device + "; use fp32 on CPU");
        }
        return load(folder, device, precision, Blocking.of(device));
    }

    /**
     * As {@link #load(Path, Device, Precision)} with the forward cut as {@code blocking}, and fp16
     * allowed on a CPU: the tests run the GPU's shapes and precision where there is no GPU.
     */
    static MaskedLanguageModel load(Path folder, Device device, Precision precision, Blocking blocking) {
        ModelConfig config = ModelConfig.read(folder);
        checkActivation(config.activation(), folder);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            MlmWeights weights = MlmWeights.load(folder, config, manager, precision.dataType());
            return new MaskedLanguageModel(config, weights, precision.dataType(), device, manager, blocking);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Device device() {
        return device;
    }

    /** A scope on this model's device for the tensors of one batch; close it after the batch. */
    public NDManager newScope() {
        return manager.newSubManager();
    }

    /**
     * Runs the model over a padded batch and pools it.
     *
     * @param ids (batch, length) int64 token ids, each row padded after its real tokens
     * @param lengths the real length of each row; rows must come longest first
     * @return (batch, vocab) float32 in the scope of {@code ids}: for each sequence, the maximum
     *     over its real positions of the logits. After {@code relu} this equals the model card's
     *     {@code relu(max over positions of logits * mask)}: padding only adds zeros to the max,
     *     and a zero changes nothing that {@code relu} keeps.
     */
    public NDArray maxPooledLogits(NDArray ids, int[] lengths) {
        long length = ids.getShape().get(1);
        if (length > config.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence of " + length + " tokens exceeds the model's " + config.maxPositions() + " positions");
        }
        for (int b = 1; b < lengths.length; b++) {
            if (lengths[b] > lengths[b - 1]) {
                throw new IllegalArgumentException("rows must be sorted longest first");
            }
        }
        List<int[]> micro = microBatches(lengths);
        if (micro.size() == 1) {
            return forward(ids, lengths);
        }
        NDManager outer = ids.getManager();
        NDList pooled = new NDList();
        for (int[] rows : micro) {
            try (NDManager scope = outer.newSubManager()) {
                scope.tempAttachAll(ids);
                NDArray part = forward(ids.get(new NDIndex("{}:{}, 0:{}", rows[0], rows[1], lengths[rows[0]])),
                        Arrays.copyOfRange(lengths, rows[0], rows[1]));
                part.attach(outer);
                pooled.add(part);
            }
        }
        return NDArrays.concat(pooled, 0);
    }

    /** The tokens a forward over rows of {@code lengths} (longest first) computes, padding included. */
    public long paddedTokens(int[] lengths) {
        long padded = 0;
        for (int[] rows : microBatches(lengths)) {
            padded += (long) (rows[1] - rows[0]) * lengths[rows[0]];
        }
        return padded;
    }

    /** [from, to) row ranges of the micro-batches of {@link Blocking}; each padded to its first (longest) row. */
    private List<int[]> microBatches(int[] lengths) {
        if (blocking.microBatchTokens() <= 0 || lengths.length == 0) {
            return List.of(new int[] {0, lengths.length});
        }
        List<int[]> ranges = new ArrayList<>();
        for (int b0 = 0; b0 < lengths.length; ) {
            int b1 = Math.min(lengths.length, b0 + Math.max(1, blocking.microBatchTokens() / lengths[b0]));
            ranges.add(new int[] {b0, b1});
            b0 = b1;
        }
        return ranges;
    }

    /** {@link #maxPooledLogits} of one block of rows, all at once. */
    private NDArray forward(NDArray ids, int[] lengths) {
        long batch = ids.getShape().get(0);
        long length = ids.getShape().get(1);
        float[] maskValues = new float[(int) (batch * length)];
        for (int b = 0; b < batch; b++) {
            Arrays.fill(maskValues, (int) (b * length), (int) (b * length + lengths[b]), 1f);
        }
        NDArray maskT = ids.getManager().create(maskValues, new Shape(batch, length)).toType(dtype, false);
        // Additive attention bias: 0 for tokens, a large negative for padding (finite in fp16 too).
        float negative = dtype == DataType.FLOAT16 ? -6.0e4f : -1.0e9f;
        NDArray bias = maskT.sub(1).mul(-negative).reshape(batch, 1, 1, length);
        NDArray x = embed(ids, length);
        NDArray[] rotary = config.rope() == null ? null : rotaryTables(ids.getManager(), length);
        for (MlmWeights.Layer layer : weights.layers) {
            x = transformerBlock(x, bias, rotary, layer, batch, length);
        }
        NDArray h = linear(x, weights.headDenseWeight, weights.headDenseBias);
        h = layerNorm(activation(h), weights.headNormWeight, weights.headNormBias);
        return pooledVocabularyLogits(h, lengths).toType(DataType.FLOAT32, false);
    }

    /**
     * max over real positions of h W^T + b, computed over blocks of at most
     * {@link Blocking#headBlockTokens} positions: the full (batch, length, vocab) logits would be the
     * largest tensor of the forward by far (1 GB at 8k tokens), allocated anew for every batch;
     * blocks stay small, are freed at once and reused by the allocator.
     */
    private NDArray pooledVocabularyLogits(NDArray h, int[] lengths) {
        NDManager outer = h.getManager();
        int batch = lengths.length;
        long positionsPerBlock = Math.min(lengths[0], blocking.headBlockTokens());
        NDArray[] groups = new NDArray[batch];
        int groupCount = 0;
        int rowsPerBlock = (int) Math.max(1, blocking.headBlockTokens() / Math.max(1, lengths[0]));
        for (int b0 = 0; b0 < batch; b0 += rowsPerBlock) {
            int b1 = Math.min(batch, b0 + rowsPerBlock);
            NDArray blockMax = null;
            for (long p0 = 0; p0 < lengths[b0]; p0 += positionsPerBlock) {
                long p1 = p0 + positionsPerBlock;
                try (NDManager block = outer.newSubManager()) {
                    block.tempAttachAll(h);
                    NDArray max = blocking.paddedHead() ? paddedBlockMax(h, lengths, b0, b1, p0, p1)
                            : blockMax(h, lengths, b0, b1, p0, p1);
                    if (blockMax != null) {
                        block.tempAttachAll(blockMax);
                        max = max.maximum(blockMax);
                    }
                    max.attach(outer);
                    blockMax = max;
                }
            }
            groups[groupCount++] = blockMax;
        }
        return groupCount == 1 ? groups[0] : NDArrays.concat(new NDList(Arrays.copyOf(groups, groupCount)), 0);
    }

    /**
     * (b1 - b0, vocab): per row, the max of the logits of its real positions in [p0, p1), or -inf if
     * none. The rows that are real tokens all along go through one matmul; a row that ends inside
     * the block is cut to its real positions, so padding is never computed and never needs masking.
     */
    private NDArray blockMax(NDArray h, int[] lengths, int b0, int b1, long p0, long p1) {
        int full = b0;
        while (full < b1 && lengths[full] >= p1) {
            full++; // rows are longest first: those covering the whole block are a prefix
        }
        NDList parts = new NDList();
        if (full > b0) {
            NDArray logits = linear(h.get(new NDIndex("{}:{}, {}:{}", b0, full, p0, p1)), weights.decoderWeight, weights.decoderBias);
            parts.add(logits.max(new int[] {1}));
        }
        for (int b = full; b < b1; b++) {
            if (lengths[b] > p0) {
                NDArray logits = linear(h.get(new NDIndex("{}, {}:{}", b, p0, lengths[b])), weights.decoderWeight, weights.decoderBias);
                parts.add(logits.max(new int[] {0}, true));
            } else {
                parts.add(h.getManager().full(new Shape(1, config.vocabSize()), Float.NEGATIVE_INFINITY, dtype, device));
            }
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 0);
    }

    /**
     * As {@link #blockMax}, in one matmul over the whole padded block: the padded positions' logits
     * get -inf before the max, so they never win it (a row without real positions stays -inf).
     */
    private NDArray paddedBlockMax(NDArray h, int[] lengths, int b0, int b1, long p0, long p1) {
        long end = Math.min(p1, lengths[b0]); // the longest row of the block
        int rows = b1 - b0;
        int positions = (int) (end - p0);
        float[] mask = new float[rows * positions];
        for (int r = 0; r < rows; r++) {
            int real = (int) Math.max(0, Math.min(positions, lengths[b0 + r] - p0));
            Arrays.fill(mask, r * positions + real, (r + 1) * positions, Float.NEGATIVE_INFINITY);
        }
        NDArray logits = linear(h.get(new NDIndex("{}:{}, {}:{}", b0, b1, p0, end)), weights.decoderWeight, weights.decoderBias);
        NDArray padding = h.getManager().create(mask, new Shape(rows, positions, 1)).toType(dtype, false);
        return logits.addi(padding).max(new int[] {1});
    }

    private NDArray embed(NDArray ids, long length) {
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, weights.wordEmbeddings, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
        if (weights.positionEmbeddings != null) { // GTE has rotary positions instead
            NDArray positions = ids.getManager().arange(0, (int) length, 1, DataType.INT64, device);
            NDArray pos = ids.getNDArrayInternal()
                    .embedding(positions, weights.positionEmbeddings, ai.djl.ndarray.types.SparseFormat.DENSE)
                    .singletonOrThrow();
            x = x.addi(pos.expandDims(0));
        }
        if (weights.tokenTypeEmbedding != null) {
            x = x.addi(weights.tokenTypeEmbedding);
        }
        return layerNorm(x, weights.embNormWeight, weights.embNormBias);
    }

    /**
     * cos and sin of GTE's rotary embeddings for positions 0..length-1, (length, headSize) each,
     * computed in float32 as the reference does: {@code inv_freq = 1 / base^(2i/headSize)} with
     * {@code base = theta * factor}, divided by {@code factor^(2/headSize)} (fixed NTK scaling),
     * and the angles of the two halves of a head the same ({@code cat(freqs, freqs)}).
     */
    private NDArray[] rotaryTables(NDManager scope, long length) {
        int d = config.headSize();
        double factor = config.rope().ntkFactor();
        float base = (float) (config.rope().theta() * factor);
        float[] invFreq = new float[d / 2];
        for (int i = 0; i < d / 2; i++) {
            invFreq[i] = (float) (1.0 / Math.pow(base, (float) (2 * i) / d));
            if (factor != 1.0) {
                invFreq[i] = (float) (invFreq[i] / Math.pow(factor, 2.0 / d));
            }
        }
        float[] cos = new float[(int) length * d];
        float[] sin = new float[(int) length * d];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < d; i++) {
                float angle = (float) t * invFreq[i % (d / 2)];
                cos[t * d + i] = (float) Math.cos(angle);
                sin[t * d + i] = (float) Math.sin(angle);
            }
        }
        return new NDArray[] {
            scope.create(cos, new Shape(length, d)).toType(dtype, false),
            scope.create(sin, new Shape(length, d)).toType(dtype, false)
        };
    }

    /** x * cos + rotate_half(x) * sin, where rotate_half(x) = cat(-x2, x1) over the halves of a head. */
    private static NDArray rotate(NDArray x, NDArray[] rotary) {
        long half = x.getShape().get(3) / 2;
        NDArray rotated = x.get("..., " + half + ":").neg().concat(x.get("..., :" + half), -1);
        return x.mul(rotary[0]).addi(rotated.muli(rotary[1]));
    }

    /** Post-LayerNorm block (all three architectures): x = LN(x + attn(x)); x = LN(x + ffn(x)). */
    private NDArray transformerBlock(NDArray input, NDArray bias, NDArray[] rotary, MlmWeights.Layer w, long batch,
            long length) {
        NDManager outer = input.getManager();
        try (NDManager scope = outer.newSubManager()) {
            // Intermediates of this layer are freed when it ends; only its output survives.
            scope.tempAttachAll(input);
            NDArray attn = attention(input, bias, rotary, w, batch, length);
            NDArray x = layerNorm(attn.addi(input), w.attnNormWeight(), w.attnNormBias());
            NDArray ffn = linear(feedForwardInner(x, w), w.ffnOutWeight(), w.ffnOutBias());
            NDArray out = layerNorm(ffn.addi(x), w.ffnNormWeight(), w.ffnNormBias());
            out.attach(outer);
            return out;
        }
    }

    /** act(x W1 + b1), or GTE's gated form act(gate) * up with [up, gate] = x W_up_gate. */
    private NDArray feedForwardInner(NDArray x, MlmWeights.Layer w) {
        NDArray h = linear(x, w.ffnInWeight(), w.ffnInBias());
        if (config.architecture() != Architecture.GTE) {
            return activation(h);
        }
        long width = config.intermediateSize();
        return activation(h.get("..., " + width + ":")).muli(h.get("..., :" + width));
    }

    private NDArray attention(NDArray x, NDArray bias, NDArray[] rotary, MlmWeights.Layer w, long batch, long length) {
        int heads = config.heads();
        int headSize = config.headSize();
        // (b, l, 3d) -> (3, b, heads, l, headSize); the query is pre-scaled by 1/sqrt(headSize).
        NDArray qkv = linear(x, w.qkvWeight(), w.qkvBias())
                .reshape(batch, length, 3, heads, headSize)
                .transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        if (rotary != null) {
            q = rotate(q, rotary);
            k = rotate(k, rotary);
        }
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).addi(bias);
        NDArray context = scores.softmax(-1).matMul(v)
                .transpose(0, 2, 1, 3)
                .reshape(batch, length, config.hiddenSize());
        return linear(context, w.outWeight(), w.outBias());
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, NDArray weight, NDArray bias) {
        return x.getNDArrayInternal()
                .layerNorm(x, new Shape(config.hiddenSize()), weight, bias, (float) config.layerNormEps())
                .singletonOrThrow();
    }

    private NDArray activation(NDArray x) {
        switch (config.activation().toLowerCase(Locale.ROOT)) {
            case "gelu":
                return x.getNDArrayInternal().gelu(); // exact (erf) GELU, as torch's default
            case "relu":
                return x.getNDArrayInternal().relu();
            default: // gelu_new / gelu_pytorch_tanh: the tanh approximation
                NDArray inner = x.pow(3).muli(0.044715).addi(x).muli(Math.sqrt(2.0 / Math.PI));
                return NDArrays.mul(x, inner.tanh().addi(1)).muli(0.5);
        }
    }

    private static void checkActivation(String activation, Path folder) {
        switch (activation.toLowerCase(Locale.ROOT)) {
            case "gelu":
            case "relu":
            case "gelu_new":
            case "gelu_pytorch_tanh":
                return;
            default:
                throw new ModelLoadException("Unsupported activation '" + activation + "' in "
                        + folder.resolve("config.json") + "; supported: gelu, relu, gelu_new, gelu_pytorch_tanh");
        }
    }

    /** Arrays held by this model's manager: the weights plus anything a forward leaked into it. */
    int liveArrayCount() {
        return ((ai.djl.ndarray.BaseNDManager) manager).getManagedArrays().size();
    }

    @Override
    public void close() {
        weights.close();
    }
}
