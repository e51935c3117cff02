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
    /** Positions per block of the vocabulary projection; larger on a GPU, which wants big kernels. */
    private final long headChunkTokens;

    private MaskedLanguageModel(ModelConfig config, MlmWeights weights, DataType dtype, Device device, NDManager manager) {
        this.config = config;
        this.weights = weights;
        this.dtype = dtype;
        this.device = device;
        this.manager = manager;
        this.headChunkTokens = device.isGpu() ? 8192 : 256;
    }

    /** Loads {@code folder} (config.json + model.safetensors) onto {@code device} in {@code precision}. */
    public static MaskedLanguageModel load(Path folder, Device device, Precision precision) {
        if (precision == Precision.FP16 && !device.isGpu()) {
            throw new IllegalArgumentException(
                    "precision fp16 needs a GPU device, but the device is " + device + "; use fp32 on CPU");
        }
        ModelConfig config = ModelConfig.read(folder);
        checkActivation(config.activation(), folder);
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            MlmWeights weights = MlmWeights.load(folder, config, manager, precision.dataType());
            return new MaskedLanguageModel(config, weights, precision.dataType(), device, manager);
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
     * @param ids (batch, length) int64 token ids in {@code scope}
     * @param mask (batch, length) float32 attention mask (1 = token, 0 = padding) in {@code scope}
     * @return (batch, vocab) float32: for each sequence, max over positions of logits * mask
     */
    public NDArray maxPooledLogits(NDArray ids, NDArray mask) {
        long batch = ids.getShape().get(0);
        long length = ids.getShape().get(1);
        if (length > config.maxPositions()) {
            throw new IllegalArgumentException(
                    "sequence of " + length + " tokens exceeds the model's " + config.maxPositions() + " positions");
        }
        NDArray maskT = mask.toType(dtype, false);
        // Additive attention bias: 0 for tokens, a large negative for padding (finite in fp16 too).
        float negative = dtype == DataType.FLOAT16 ? -6.0e4f : -1.0e9f;
        NDArray bias = maskT.sub(1).mul(-negative).reshape(batch, 1, 1, length);
        NDArray x = embed(ids, length);
        for (MlmWeights.Layer layer : weights.layers) {
            x = transformerBlock(x, bias, layer, batch, length);
        }
        NDArray h = linear(x, weights.headDenseWeight, weights.headDenseBias);
        h = layerNorm(activation(h), weights.headNormWeight, weights.headNormBias);
        return pooledVocabularyLogits(h, maskT, batch, length).toType(DataType.FLOAT32, false);
    }

    /**
     * max over positions of (h W^T + b) * mask, computed over blocks of at most
     * {@code headChunkTokens} positions: the full (batch, length, vocab) logits would be the
     * largest tensor of the forward by far (1 GB at 8k tokens), allocated and page-faulted anew
     * for every batch; blocks stay small, are freed at once and reused by the allocator. The
     * max of the blocks' maxima is exactly the max over all positions.
     */
    private NDArray pooledVocabularyLogits(NDArray h, NDArray maskT, long batch, long length) {
        NDManager outer = h.getManager();
        long positionsPerBlock = Math.min(length, headChunkTokens);
        long rowsPerBlock = Math.max(1, headChunkTokens / length);
        NDArray[] rows = new NDArray[(int) ((batch + rowsPerBlock - 1) / rowsPerBlock)];
        for (long b0 = 0; b0 < batch; b0 += rowsPerBlock) {
            long b1 = Math.min(batch, b0 + rowsPerBlock);
            NDArray rowMax = null;
            for (long p0 = 0; p0 < length; p0 += positionsPerBlock) {
                long p1 = Math.min(length, p0 + positionsPerBlock);
                try (NDManager block = outer.newSubManager()) {
                    block.tempAttachAll(h, maskT);
                    NDIndex range = new NDIndex("{}:{}, {}:{}", b0, b1, p0, p1);
                    NDArray logits = linear(h.get(range), weights.decoderWeight, weights.decoderBias);
                    // The recipe multiplies by the mask (pads become 0) before the max.
                    NDArray max = logits.muli(maskT.get(range).expandDims(2)).max(new int[] {1});
                    if (rowMax != null) {
                        block.tempAttachAll(rowMax);
                        max = max.maximum(rowMax);
                    }
                    max.attach(outer);
                    rowMax = max;
                }
            }
            rows[(int) (b0 / rowsPerBlock)] = rowMax;
        }
        return rows.length == 1 ? rows[0] : NDArrays.concat(new NDList(rows), 0);
    }

    private NDArray embed(NDArray ids, long length) {
        NDArray positions = ids.getManager().arange(0, (int) length, 1, DataType.INT64, device);
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, weights.wordEmbeddings, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
        NDArray pos = positions.getNDArrayInternal()
                .embedding(positions, weights.positionEmbeddings, ai.djl.ndarray.types.SparseFormat.DENSE)
                .singletonOrThrow();
        x = x.addi(pos.expandDims(0));
        if (weights.tokenTypeEmbedding != null) {
            x = x.addi(weights.tokenTypeEmbedding);
        }
        return layerNorm(x, weights.embNormWeight, weights.embNormBias);
    }

    /** Post-LayerNorm block (both architectures): x = LN(x + attn(x)); x = LN(x + ffn(x)). */
    private NDArray transformerBlock(NDArray input, NDArray bias, MlmWeights.Layer w, long batch, long length) {
        NDManager outer = input.getManager();
        try (NDManager scope = outer.newSubManager()) {
            // Intermediates of this layer are freed when it ends; only its output survives.
            scope.tempAttachAll(input);
            NDArray attn = attention(input, bias, w, batch, length);
            NDArray x = layerNorm(attn.addi(input), w.attnNormWeight(), w.attnNormBias());
            NDArray ffn = linear(activation(linear(x, w.ffnInWeight(), w.ffnInBias())), w.ffnOutWeight(), w.ffnOutBias());
            NDArray out = layerNorm(ffn.addi(x), w.ffnNormWeight(), w.ffnNormBias());
            out.attach(outer);
            return out;
        }
    }

    private NDArray attention(NDArray x, NDArray bias, MlmWeights.Layer w, long batch, long length) {
        int heads = config.heads();
        int headSize = config.headSize();
        // (b, l, 3d) -> (3, b, heads, l, headSize); the query is pre-scaled by 1/sqrt(headSize).
        NDArray qkv = linear(x, w.qkvWeight(), w.qkvBias())
                .reshape(batch, length, 3, heads, headSize)
                .transpose(2, 0, 3, 1, 4);
        NDArray q = qkv.get(0);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
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
