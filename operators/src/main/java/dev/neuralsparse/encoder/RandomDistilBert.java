package dev.neuralsparse.encoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Generates a seeded random-weight {@code DistilBertForMaskedLM} folder in the Hugging Face layout:
 * the real doc-v2-distill shape for benchmarks (nothing downloaded), or a small one as the demo's
 * offline fallback. Like the reference script's benchmark model, the output bias is calibrated so
 * that about 1.5% of the vocabulary is active per document, as with a trained model; the vectors
 * mean nothing.
 */
public final class RandomDistilBert {
    /** The shape of opensearch-neural-sparse-encoding-doc-v2-distill. */
    public static final RandomDistilBert DOC_V2_DISTILL_SHAPE = new RandomDistilBert(768, 6, 12, 3072);

    private final int dim;
    private final int layers;
    private final int heads;
    private final int ffn;

    public RandomDistilBert(int dim, int layers, int heads, int ffn) {
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.ffn = ffn;
    }

    /**
     * Writes the model into {@code folder} with the tokenizer (and IDF table, if given) copied in,
     * calibrating the output bias on {@code calibrationTexts}.
     */
    public Path write(Path folder, Path tokenizerJson, Path idfJson, long seed, List<String> calibrationTexts)
            throws IOException {
        Files.createDirectories(folder);
        Files.copy(tokenizerJson, folder.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        if (idfJson != null) {
            Files.copy(idfJson, folder.resolve("idf.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        int vocab = Vocabulary.read(tokenizerJson).size();
        SafetensorsWriter.writeText(folder.resolve("config.json"), config(vocab));
        SafetensorsWriter weights = weights(new Random(seed), vocab);
        weights.write(folder.resolve(MlmWeights.FILE));
        float[] bias = new float[vocab];
        Arrays.fill(bias, -activeQuantile(folder, calibrationTexts, 0.985));
        weights.put("vocab_projector.bias", bias, vocab).write(folder.resolve(MlmWeights.FILE));
        return folder;
    }

    /** All weights, the output bias at zero until calibrated. */
    private SafetensorsWriter weights(Random random, int vocab) {
        SafetensorsWriter w = new SafetensorsWriter();
        // Embeddings scaled x10, as the reference does, so that logits are O(1) through the tied projection.
        w.put("distilbert.embeddings.word_embeddings.weight", normal(random, vocab * dim, 0.2f), vocab, dim);
        w.put("distilbert.embeddings.position_embeddings.weight", normal(random, 512 * dim, 0.02f), 512, dim);
        norm(w, "distilbert.embeddings.LayerNorm");
        for (int i = 0; i < layers; i++) {
            String p = "distilbert.transformer.layer." + i + ".";
            for (String lin : List.of("attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin")) {
                linear(w, random, p + lin, dim, dim);
            }
            norm(w, p + "sa_layer_norm");
            linear(w, random, p + "ffn.lin1", ffn, dim);
            linear(w, random, p + "ffn.lin2", dim, ffn);
            norm(w, p + "output_layer_norm");
        }
        linear(w, random, "vocab_transform", dim, dim);
        norm(w, "vocab_layer_norm");
        w.put("vocab_projector.bias", new float[vocab], vocab);
        return w;
    }

    private static void linear(SafetensorsWriter w, Random random, String name, int out, int in) {
        w.put(name + ".weight", normal(random, out * in, 0.02f), out, in);
        w.put(name + ".bias", new float[out], out);
    }

    private void norm(SafetensorsWriter w, String name) {
        float[] ones = new float[dim];
        Arrays.fill(ones, 1f);
        w.put(name + ".weight", ones, dim);
        w.put(name + ".bias", new float[dim], dim);
    }

    private static float[] normal(Random random, int n, float std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * std;
        }
        return v;
    }

    /** The q-quantile of the pooled logits over the calibration texts. */
    private static float activeQuantile(Path folder, List<String> texts, double q) {
        List<Float> values = new ArrayList<>();
        try (DocumentTokenizer tokenizer = DocumentTokenizer.load(folder);
                MaskedLanguageModel model = MaskedLanguageModel.load(folder, Device.cpu(), Precision.FP32)) {
            for (String text : texts) {
                long[] ids = tokenizer.sequences(text, LongDocuments.truncate()).get(0);
                try (NDManager scope = model.newScope()) {
                    NDArray pooled = model.maxPooledLogits(scope.create(ids, new Shape(1, ids.length)), new int[] {ids.length});
                    for (float f : pooled.toFloatArray()) {
                        values.add(f);
                    }
                }
            }
        }
        if (values.isEmpty()) {
            return 0f;
        }
        values.sort(Float::compare);
        return values.get((int) Math.min(values.size() - 1, Math.round(q * (values.size() - 1))));
    }

    private String config(int vocab) {
        return String.format(Locale.ROOT, "{\n  \"architectures\": [\"DistilBertForMaskedLM\"],\n"
                + "  \"model_type\": \"distilbert\",\n  \"activation\": \"gelu\",\n  \"dim\": %d,\n"
                + "  \"n_layers\": %d,\n  \"n_heads\": %d,\n  \"hidden_dim\": %d,\n  \"vocab_size\": %d,\n"
                + "  \"max_position_embeddings\": 512,\n  \"pad_token_id\": 0,\n  \"tie_word_embeddings\": true,\n"
                + "  \"sinusoidal_pos_embds\": false\n}\n", dim, layers, heads, ffn, vocab);
    }
}
