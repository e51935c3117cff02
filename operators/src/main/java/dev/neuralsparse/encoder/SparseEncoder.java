package dev.neuralsparse.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.cuda.CudaUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learned-sparse document encoding: the recipe of the neural-sparse model cards, batched.
 * A document's vector is the model's activation ({@link SparseRecipe}: {@code log(1 + relu(x))} for the model
 * card's recipe, {@code log(1 + log(1 + relu(x)))} for the v3 models) of the max over positions of the logits, with the
 * special tokens' weights set to 0; only its non-zero entries leave the device.
 *
 * <pre>{@code
 * try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(dir).build())) {
 *     List<SparseVector> vectors = encoder.encode(List.of("first doc", "second doc"));
 *     Map<String, Float> rankFeatures = vectors.get(0).toTokenMap(encoder.vocabulary());
 * }
 * }</pre>
 *
 * <p>{@link #tokenize} is thread-safe; the forward methods ({@link #encode(List)},
 * {@link #encodeTokenized}) are meant for one thread per encoder, which owns its device.
 */
public final class SparseEncoder implements DocumentEncoder {
    private static final Logger LOG = LoggerFactory.getLogger(SparseEncoder.class);

    private final EncoderSpec spec;
    /** Where the model came from: "local folder", or the revision and the commit it resolved to. */
    private final String origin;
    private final SparseRecipe recipe;
    private final DocumentTokenizer tokenizer;
    private final MaskedLanguageModel model;
    private final LongDocuments longDocuments;
    private final NDManager constants;
    /** (vocab) float: 0 at special ids, 1 elsewhere. */
    private final NDArray specialMask;
    private final EncoderStats stats = new EncoderStats();

    private SparseEncoder(EncoderSpec spec, String origin, SparseRecipe recipe, DocumentTokenizer tokenizer,
            MaskedLanguageModel model) {
        this.spec = spec;
        this.origin = origin;
        this.recipe = recipe;
        this.tokenizer = tokenizer;
        this.model = model;
        this.longDocuments = fitToModel(spec.longDocuments(), model.config());
        this.constants = model.newScope();
        int vocab = model.config().vocabSize();
        float[] keep = new float[vocab];
        // Rows past the tokenizer's vocabulary (a vocab_size padded to a multiple of 64, as GTE's
        // 30,528 for 30,522 tokens) are no token: they never enter a vector.
        Arrays.fill(keep, 0, Math.min(vocab, tokenizer.vocabulary().size()), 1f);
        for (int id : tokenizer.vocabulary().specialIds()) {
            if (id < vocab) {
                keep[id] = 0f;
            }
        }
        this.specialMask = constants.create(keep);
    }

    /** Resolves the model (downloading it once if it is a hub id), loads it and its tokenizer. */
    public static SparseEncoder open(EncoderSpec spec) {
        return open(spec, null);
    }

    /**
     * As {@link #open(EncoderSpec)}; with a {@code blocking}, the forward is cut that way whatever
     * the device, and fp16 runs on a CPU: how the tests check the GPU's code path here.
     */
    static SparseEncoder open(EncoderSpec spec, MaskedLanguageModel.Blocking blocking) {
        ModelResolver.Builder builder = ModelResolver.builder().setRevision(spec.modelRevision());
        if (spec.cacheDir() != null) {
            builder.setCacheDir(Paths.get(spec.cacheDir()));
        }
        ModelResolver resolver = builder.build();
        Path folder = resolver.resolve(spec.model());
        String origin = origin(spec, folder, resolver);
        SparseRecipe recipe = SparseRecipe.read(folder);
        Path transformer = recipe.transformerFolder();
        Device device = spec.device().resolve();
        DocumentTokenizer tokenizer = DocumentTokenizer.load(
                Files.isRegularFile(transformer.resolve("tokenizer.json")) ? transformer : folder);
        try {
            // Checked before the weights load: a mismatch then says what it is, not which tensor it breaks.
            ModelConfig config = ModelConfig.read(transformer);
            if (config.vocabSize() < tokenizer.vocabulary().size()) {
                throw new ModelLoadException("config.json of " + transformer + " has vocab_size " + config.vocabSize()
                        + " but tokenizer.json has " + tokenizer.vocabulary().size() + " tokens: some tokens have no weights");
            }
            MaskedLanguageModel model = blocking == null ? MaskedLanguageModel.load(transformer, device, spec.precision())
                    : MaskedLanguageModel.load(transformer, device, spec.precision(), blocking);
            SparseEncoder encoder = new SparseEncoder(spec, origin, recipe, tokenizer, model);
            LOG.info("{}; precision {} on {}", encoder.describe(), spec.precision(), device);
            return encoder;
        } catch (RuntimeException e) {
            tokenizer.close();
            throw e;
        }
    }

    /** "local folder", "commit SHA", or "revision R = commit SHA" (the commit read from the cache's record). */
    private static String origin(EncoderSpec spec, Path folder, ModelResolver resolver) {
        if (folder.equals(Path.of(spec.model()))) {
            return "local folder";
        }
        String commit = resolver.commit(spec.model());
        return commit.equals(spec.modelRevision()) ? "commit " + commit
                : "revision " + spec.modelRevision() + " = commit " + commit;
    }

    @Override
    public EncoderSpec spec() {
        return spec;
    }

    @Override
    public Vocabulary vocabulary() {
        return tokenizer.vocabulary();
    }

    /**
     * One line on what encodes: model (and revision, for a hub model), architecture and size, the
     * recipe's activation and pooling and where they were read. For the startup log and stderr.
     */
    public String describe() {
        ModelConfig c = model.config();
        return "model " + spec.model() + " (" + origin + "): " + c.architecture().configName()
                + ", " + c.layers() + " layers, hidden " + c.hiddenSize() + ", vocabulary " + c.vocabSize() + "; "
                + recipe.describe();
    }

    /** How this model's logits become a vector: activation and where it was read. */
    public SparseRecipe recipe() {
        return recipe;
    }

    public ModelConfig modelConfig() {
        return model.config();
    }

    /** The device the model was loaded on. */
    public Device device() {
        return model.device();
    }

    @Override
    public EncoderStats stats() {
        return stats;
    }

    @Override
    public long deviceMemoryUsed() {
        Device device = model.device();
        return device.isGpu() ? CudaUtils.getGpuMemory(device).getCommitted() : -1;
    }

    /**
     * Text to model inputs; thread-safe, so it can run ahead of the device on other threads. A
     * text the tokenizer refuses is an {@link UnencodableDocumentException}: it would fail again.
     */
    @Override
    public TokenizedDocument tokenize(String text) {
        if (text == null) {
            throw new IllegalArgumentException("document text must not be null");
        }
        try {
            return new TokenizedDocument(tokenizer.sequences(text, longDocuments));
        } catch (RuntimeException e) {
            throw new UnencodableDocumentException("the tokenizer refused the text (" + e + ")", e);
        }
    }

    public SparseVector encode(String text) {
        return encode(List.of(Objects.requireNonNull(text, "document text must not be null"))).get(0);
    }

    /** Encodes {@code texts}; the result is in input order whatever the batching. */
    public List<SparseVector> encode(List<String> texts) {
        List<TokenizedDocument> docs = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            if (texts.get(i) == null) {
                throw new IllegalArgumentException("document text at index " + i + " is null");
            }
            docs.add(tokenize(texts.get(i)));
        }
        return encodeTokenized(docs);
    }

    /**
     * Encodes tokenized documents in length-sorted batches under the token budget; windows of one
     * document are max-pooled and then pruned. The result is in input order.
     */
    public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs) {
        return encodeTokenized(docs, spec.tokenBudget());
    }

    /** As {@link #encodeTokenized(List)}, under {@code tokenBudget} instead of the spec's. */
    @Override
    public List<SparseVector> encodeTokenized(List<TokenizedDocument> docs, int tokenBudget) {
        List<long[]> sequences = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            for (long[] s : docs.get(d).sequences()) {
                sequences.add(s);
                owner.add(d);
            }
        }
        SparseVector[] pooled = new SparseVector[docs.size()];
        int[] lengths = sequences.stream().mapToInt(s -> s.length).toArray();
        for (int[] batch : BatchPlanner.plan(lengths, tokenBudget, spec.maxBatchSize())) {
            SparseVector[] vectors = forward(sequences, batch);
            for (int i = 0; i < batch.length; i++) {
                int d = owner.get(batch[i]);
                pooled[d] = pooled[d] == null ? vectors[i] : pooled[d].max(vectors[i]);
            }
        }
        List<SparseVector> out = new ArrayList<>(pooled.length);
        for (SparseVector v : pooled) {
            out.add(spec.pruning().apply(v));
        }
        return out;
    }

    /** One forward pass; only the non-zero (id, weight) pairs are copied back from the device. */
    private SparseVector[] forward(List<long[]> sequences, int[] batch) {
        int length = 0;
        long tokens = 0;
        for (int i : batch) {
            length = Math.max(length, sequences.get(i).length);
            tokens += sequences.get(i).length;
        }
        // The planner hands rows longest first; the model relies on that order.
        long[] ids = new long[batch.length * length];
        int[] lengths = new int[batch.length];
        for (int b = 0; b < batch.length; b++) {
            long[] s = sequences.get(batch[b]);
            System.arraycopy(s, 0, ids, b * length, s.length);
            lengths[b] = s.length;
        }
        SparseVector[] out;
        try (NDManager scope = model.newScope()) {
            NDArray logits = model.maxPooledLogits(scope.create(ids, new Shape(batch.length, length)), lengths);
            NDArray weights = activate(logits).muli(specialMask);
            NDArray flat = weights.reshape(-1);
            NDArray nonZero = flat.gt(0);
            float[] values = flat.booleanMask(nonZero).toFloatArray();
            long[] positions = nonZero.nonzero().toLongArray();
            out = split(batch.length, model.config().vocabSize(), positions, values);
        }
        stats.record(batch.length, tokens, model.paddedTokens(lengths));
        return out;
    }

    /** The recipe's activation of max-pooled logits; exact after pooling as both are monotonic. */
    private NDArray activate(NDArray logits) {
        NDArray w = logits.getNDArrayInternal().relu().addi(1).log();
        return recipe.activation() == SparseRecipe.Activation.LOG1P_LOG1P_RELU ? w.addi(1).log() : w;
    }

    /** Row-major flat positions of a (batch, vocab) matrix back into one vector per row. */
    private static SparseVector[] split(int rows, int vocab, long[] positions, float[] values) {
        SparseVector[] out = new SparseVector[rows];
        int from = 0;
        for (int r = 0; r < rows; r++) {
            long rowEnd = (long) (r + 1) * vocab;
            int to = from;
            while (to < positions.length && positions[to] < rowEnd) {
                to++;
            }
            int[] ids = new int[to - from];
            for (int i = from; i < to; i++) {
                ids[i - from] = (int) (positions[i] - (long) r * vocab);
            }
            out[r] = SparseVector.ofSorted(ids, Arrays.copyOfRange(values, from, to));
            from = to;
        }
        return out;
    }

    /** A model with fewer than 512 positions gets windows that fit it. */
    private static LongDocuments fitToModel(LongDocuments requested, ModelConfig config) {
        int room = config.maxPositions() - 2;
        if (requested.windowPieces() <= room) {
            return requested;
        }
        return new LongDocuments(requested.mode(), room, Math.min(requested.stride(), room));
    }

    /** For leak tests: arrays alive in the model's managers. */
    int liveArrayCount() {
        return model.liveArrayCount();
    }

    @Override
    public void close() {
        try {
            constants.close();
            model.close();
        } finally {
            tokenizer.close();
        }
    }
}
