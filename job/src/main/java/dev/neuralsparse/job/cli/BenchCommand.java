package dev.neuralsparse.job.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.neuralsparse.encoder.DocumentTokenizer;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.EncoderStats;
import dev.neuralsparse.encoder.ModelConfig;
import dev.neuralsparse.encoder.RandomDistilBert;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.TokenizedDocument;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code neural-sparse bench}: encoder throughput on a random-weight model of the real
 * doc-v2-distill shape over SciFact abstracts, with MFU against the matmul peak measured in the
 * same JVM on the same device.
 */
final class BenchCommand implements Command {
    private static final long SEED = 7;

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "encoder throughput and MFU on a random-weight doc-v2-distill-shaped model";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse bench [options]",
                "",
                "Generates (once, cached) a seeded random-weight DistilBERT masked-LM with the shape of",
                "opensearch-neural-sparse-encoding-doc-v2-distill (dim 768, 6 layers, 12 heads, ffn 3072,",
                "vocab 30522; nothing downloaded), encodes the first --docs abstracts of SciFact and prints",
                "docs/s, tokens/s, the padding ratio and MFU: achieved FLOP/s over the peak matmul FLOP/s",
                "measured in this JVM on the same device and precision.",
                "",
                ModelOptions.ModelOptionsHelp.ENCODER,
                "  --docs N                abstracts to encode (default 512)",
                "  --runs N                timed runs after the warm-up; the best is reported (default 1)",
                "  --tokenizers            instead, time tokenization alone: the encoder's tokenizer (BERT's rules in",
                "                          Java where they cover the text) against Hugging Face's, best of 5",
                "  --profile N             then profile one call on the first N abstracts with PyTorch's profiler",
                "                          and print where the time goes, per kind of operation (default 0: none)",
                "  --corpus FILE           BEIR corpus.jsonl[.gz] (default ../shared/data/scifact/corpus.jsonl.gz)",
                "  --model-dir DIR         where the generated model is kept (default the cache)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        Set<String> names = new HashSet<>(ModelOptions.NAMES);
        names.remove("model");
        names.addAll(Set.of("docs", "runs", "profile", "corpus", "model-dir"));
        CliArgs args = CliArgs.parse(name(), argv, names, Set.of("tokenizers"));
        ModelOptions.applyThreads(args);
        Path corpus = Paths.get(args.get("corpus", Corpora.shared().resolve("data/scifact/corpus.jsonl.gz").toString()));
        if (!Files.isRegularFile(corpus)) {
            throw new CliArgs.UsageException("corpus " + corpus + " not found; pass --corpus FILE (a BEIR corpus.jsonl[.gz])");
        }
        List<String> texts = Corpora.beirTexts(corpus, args.getInt("docs", 512));
        EncoderSpec spec = ModelOptions.spec(args, benchModel(args, texts).toString());
        if (args.has("tokenizers")) {
            tokenizers(Path.of(spec.model()), texts, out);
            return 0;
        }
        try (SparseEncoder encoder = SparseEncoder.open(spec)) {
            report(encoder, spec, texts, corpus, args.getInt("runs", 1), out);
            int profiled = Math.min(texts.size(), args.getInt("profile", 0));
            if (profiled > 0) {
                profile(encoder, texts.subList(0, profiled), out);
            }
        }
        return 0;
    }

    /** What one bench measured: the best run's rate and its MFU against the peak measured in the same JVM. */
    record Result(double docsPerSecond, double mfu, double peakFlops) {}

    /** Measures, prints the report, and returns the figures. */
    static Result report(SparseEncoder encoder, EncoderSpec spec, List<String> texts, Path corpus, int runs, PrintStream out) {
        ModelConfig cfg = encoder.modelConfig();
        Device device = encoder.device();
        out.printf(Locale.ROOT, "model: random-weight DistilBERT, dim %d, %d layers, %d heads, ffn %d, vocab %d%n",
                cfg.hiddenSize(), cfg.layers(), cfg.heads(), cfg.intermediateSize(), cfg.vocabSize());
        out.printf(Locale.ROOT, "device %s, precision %s, token budget %d, max batch %d, torch intra-op threads %d%n",
                device, spec.precision().name().toLowerCase(Locale.ROOT), spec.tokenBudget(), spec.maxBatchSize(),
                ai.djl.pytorch.jni.JniUtils.getNumThreads());
        double peak = PeakMatmul.measure(device, spec.precision().dataType(), cfg.hiddenSize(), cfg.intermediateSize());
        out.printf(Locale.ROOT, "peak matmul: %.1f GFLOP/s (best of %s x %d by %dx%d linear layers, measured now)%n",
                peak / 1e9, java.util.Arrays.toString(PeakMatmul.ROWS), cfg.hiddenSize(), cfg.hiddenSize(),
                cfg.intermediateSize());

        encoder.encode(texts.subList(0, Math.min(32, texts.size()))); // warm-up: allocator, kernels
        double bestSeconds = Double.MAX_VALUE;
        double tokenizeSeconds = 0;
        long tokens = 0;
        double flops = 0;
        double padding = 0;
        long nonZeros = 0;
        for (int run = 0; run < Math.max(1, runs); run++) {
            long tokensBefore = encoder.stats().tokens();
            long paddedBefore = encoder.stats().paddedTokens();
            long t0 = System.nanoTime();
            List<TokenizedDocument> docs = new ArrayList<>(texts.size());
            for (String t : texts) {
                docs.add(encoder.tokenize(t));
            }
            long t1 = System.nanoTime();
            List<SparseVector> vectors = encoder.encodeTokenized(docs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (seconds < bestSeconds) {
                bestSeconds = seconds;
                tokenizeSeconds = (t1 - t0) / 1e9;
                EncoderStats s = encoder.stats();
                tokens = s.tokens() - tokensBefore;
                padding = 1.0 - (double) tokens / (s.paddedTokens() - paddedBefore);
                flops = 0;
                nonZeros = 0;
                for (int i = 0; i < docs.size(); i++) {
                    flops += flopsPerDocument(docs.get(i).tokenCount(), cfg);
                    nonZeros += vectors.get(i).size();
                }
            }
        }
        out.printf(Locale.ROOT, "corpus: %d abstracts of %s, %d tokens (mean %.1f), %.1f non-zero weights per doc%n",
                texts.size(), corpus.getParent().getFileName(), tokens, (double) tokens / texts.size(),
                (double) nonZeros / texts.size());
        out.printf(Locale.ROOT, "encode: %.2f s (tokenize %.2f s): %.2f docs/s, %.0f tokens/s, padding %.1f%%%n",
                bestSeconds, tokenizeSeconds, texts.size() / bestSeconds, tokens / bestSeconds, 100 * padding);
        double achieved = flops / bestSeconds;
        out.printf(Locale.ROOT, "MFU: %.3f (achieved %.1f GFLOP/s over the measured peak %.1f GFLOP/s)%n",
                achieved / peak, achieved / 1e9, peak / 1e9);
        return new Result(texts.size() / bestSeconds, achieved / peak, peak);
    }

    /**
     * Microseconds per abstract of the tokenizer as the encoder uses it (Java where it covers the
     * text, else Hugging Face) and of the Hugging Face tokenizer alone, best of 5 rounds each: on all
     * abstracts, the ASCII ones and the others.
     */
    private static void tokenizers(Path model, List<String> texts, PrintStream out) {
        List<String> ascii = texts.stream().filter(t -> t.chars().allMatch(c -> c < 128)).toList();
        List<String> other = texts.stream().filter(t -> t.chars().anyMatch(c -> c >= 128)).toList();
        try (DocumentTokenizer tokenizer = DocumentTokenizer.load(model)) {
            for (var set : List.of(Map.entry("all", texts), Map.entry("ASCII", ascii), Map.entry("non-ASCII", other))) {
                List<String> docs = set.getValue();
                double encoderPath = Double.MAX_VALUE;
                double huggingFace = Double.MAX_VALUE;
                for (int round = 0; round < 5 && !docs.isEmpty(); round++) {
                    long t0 = System.nanoTime();
                    docs.forEach(tokenizer::wordPieces);
                    long t1 = System.nanoTime();
                    docs.forEach(tokenizer::huggingFaceWordPieces);
                    long t2 = System.nanoTime();
                    encoderPath = Math.min(encoderPath, (t1 - t0) / 1e3 / docs.size());
                    huggingFace = Math.min(huggingFace, (t2 - t1) / 1e3 / docs.size());
                }
                out.printf(Locale.ROOT, "tokenization of %d %s abstracts (of %d): the encoder's tokenizer %.1f us/doc,"
                        + " Hugging Face alone %.1f us/doc (%.1fx)%n", docs.size(), set.getKey(), texts.size(), encoderPath,
                        huggingFace, huggingFace / encoderPath);
            }
        }
    }

    /**
     * One call of the encoder under PyTorch's profiler, summed per kind of operation; tokenization
     * is timed apart, before it, since the profiler sees only PyTorch's ops.
     */
    private static void profile(SparseEncoder encoder, List<String> texts, PrintStream out) throws java.io.IOException {
        long t0 = System.nanoTime();
        List<TokenizedDocument> docs = new ArrayList<>(texts.size());
        for (String t : texts) {
            docs.add(encoder.tokenize(t));
        }
        double tokenizeMicros = (System.nanoTime() - t0) / 1e3;
        long forwardsBefore = encoder.stats().forwards();
        Path trace = Files.createTempFile("neural-sparse-profile", ".json");
        try {
            ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
            long t1 = System.nanoTime();
            encoder.encodeTokenized(docs);
            double wallMicros = (System.nanoTime() - t1) / 1e3;
            ai.djl.pytorch.jni.JniUtils.stopProfile(trace.toString());
            ForwardProfile.read(trace, encoder.modelConfig().vocabSize()).print(out, wallMicros, docs.size()
                    + " abstracts in " + (encoder.stats().forwards() - forwardsBefore) + " forward pass(es)");
        } finally {
            Files.deleteIfExists(trace);
        }
        out.printf(Locale.ROOT, "tokenization of the same abstracts, before: %.1f ms%n", tokenizeMicros / 1e3);
    }

    /** The reference script's count: matmul FLOPs of the encoder and MLM head, plus attention. */
    static double flopsPerDocument(int tokens, ModelConfig c) {
        double d = c.hiddenSize();
        double perToken = 2 * (c.layers() * (4 * d * d + 2 * d * c.intermediateSize()) + d * d + d * c.vocabSize());
        double attention = 2.0 * 2 * c.layers() * (double) tokens * tokens * d;
        return perToken * tokens + attention;
    }

    private static Path benchModel(CliArgs args, List<String> texts) throws Exception {
        return benchModel(Paths.get(args.get("model-dir",
                Corpora.cacheDir().resolve("bench-doc-v2-distill-shape-seed" + SEED).toString())), texts);
    }

    /** The random-weight doc-v2-distill-shaped model in {@code dir}, generated there once. */
    static Path benchModel(Path dir, List<String> texts) throws Exception {
        if (Files.isRegularFile(dir.resolve("model.safetensors"))) {
            return dir;
        }
        System.err.println("Generating the random-weight benchmark model in " + dir + " (once) ...");
        Path tokenizer = BundledVocabulary.tokenizerJson();
        return RandomDistilBert.DOC_V2_DISTILL_SHAPE.write(dir, tokenizer, BundledVocabulary.idfJson(), SEED,
                texts.subList(0, Math.min(16, texts.size())));
    }

    /** Peak matmul throughput on a device: the yardstick for MFU. */
    static final class PeakMatmul {
        /**
         * Rows of the measured layers. A CPU is fastest when the output stays in its caches (a few
         * hundred rows), a GPU with thousands: the best of these is the peak, whatever the device.
         */
        static final int[] ROWS = {512, 1024, 4096};

        private PeakMatmul() {}

        /** FLOP/s of (rows x dim) by (dim x ffn) linear layers, the model's largest, best of several runs and sizes. */
        static double measure(Device device, DataType dtype, int dim, int ffn) {
            double best = 0;
            try (NDManager m = NDManager.newBaseManager(device, "PyTorch")) {
                NDArray w = m.randomNormal(new Shape(ffn, dim)).toType(dtype, false);
                for (int rows : ROWS) {
                    NDArray x = m.randomNormal(new Shape(rows, dim)).toType(dtype, false);
                    double flopsPerCall = 2.0 * rows * dim * ffn;
                    int calls = Math.max(1, 4096 / rows); // about the same work per timing, whatever the size
                    for (int rep = 0; rep < 8; rep++) {
                        try (NDManager scope = m.newSubManager()) {
                            scope.tempAttachAll(x, w);
                            long t0 = System.nanoTime();
                            NDArray y = null;
                            for (int c = 0; c < calls; c++) {
                                y = x.getNDArrayInternal().linear(x, w, null).singletonOrThrow();
                            }
                            y.get(0, 0).getFloat(); // forces completion on an asynchronous device
                            double seconds = (System.nanoTime() - t0) / 1e9;
                            if (rep >= 2) {
                                best = Math.max(best, calls * flopsPerCall / seconds);
                            }
                        }
                    }
                }
            }
            return best;
        }
    }
}
