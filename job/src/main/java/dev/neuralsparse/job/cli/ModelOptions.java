package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.DeviceSpec;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.LongDocuments;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.encoder.Precision;
import dev.neuralsparse.encoder.Pruning;
import java.util.Set;

/** The encoder options shared by the commands that load the document model. */
final class ModelOptions {
    static final Set<String> NAMES = Set.of(
            "model", "model-revision", "device", "precision", "token-budget", "max-batch", "long-docs", "window", "stride",
            "prune", "cache-dir", "threads");

    static final String HELP = String.join("\n",
            "  --model DIR|REPO_ID     model folder, or hub repo id downloaded once into the cache",
            "  --model-revision R      branch, tag or commit SHA of a hub model (default main), resolved once",
            "                          to its commit and recorded in the cache; downloads checked by digest",
            ModelOptionsHelp.ENCODER);

    /** The encoder options without --model, for commands that bring their own model. */
    static final class ModelOptionsHelp {
        static final String ENCODER = String.join("\n",
            "  --device D              cpu (default), gpu, gpu:N or auto",
            "  --precision P           fp32 (default) or fp16 (GPU only)",
            "  --token-budget N        padded tokens per forward pass (default " + EncoderSpec.DEFAULT_TOKEN_BUDGET + ")",
            "  --max-batch N           sequences per forward pass at most (default " + EncoderSpec.DEFAULT_MAX_BATCH_SIZE + ")",
            "  --long-docs S           truncate (default, as the model card) or chunked-max",
            "  --window N --stride N   chunked-max windows: word pieces per window (<= 510) and step",
            "  --prune TYPE:RATIO      none, top_k:K, max_ratio:R, alpha_mass:R or abs_value:T",
            "  --cache-dir DIR         hub cache (default $NEURAL_SPARSE_CACHE or ~/.cache/neural-sparse)",
            "  --threads N             PyTorch intra-op threads (default: one per core)");

        private ModelOptionsHelp() {}
    }

    private ModelOptions() {}

    static EncoderSpec spec(CliArgs args) {
        return spec(args, args.require("model"));
    }

    /** The spec of the encoder options in {@code args}, for {@code model}. */
    static EncoderSpec spec(CliArgs args, String model) {
        LongDocuments longDocs = LongDocuments.parse(args.get("long-docs", "truncate"));
        if (args.has("window") || args.has("stride")) {
            if (longDocs.mode() != LongDocuments.Mode.CHUNKED_MAX) {
                throw new CliArgs.UsageException("--window and --stride apply to --long-docs chunked-max only");
            }
            int window = args.getInt("window", LongDocuments.MAX_WINDOW_PIECES);
            longDocs = LongDocuments.chunkedMax(window, args.getInt("stride", Math.min(window, longDocs.stride())));
        }
        return EncoderSpec.builder()
                .setModel(model)
                .setModelRevision(args.get("model-revision", ModelResolver.DEFAULT_REVISION))
                .setCacheDir(args.get("cache-dir", null))
                .setDevice(DeviceSpec.parse(args.get("device", "cpu")))
                .setPrecision(Precision.parse(args.get("precision", "fp32")))
                .setTokenBudget(args.getInt("token-budget", EncoderSpec.DEFAULT_TOKEN_BUDGET))
                .setMaxBatchSize(args.getInt("max-batch", EncoderSpec.DEFAULT_MAX_BATCH_SIZE))
                .setLongDocuments(longDocs)
                .setPruning(Pruning.parse(args.get("prune", "none")))
                .build();
    }

    /** PyTorch reads its thread count once, when the engine starts: call before any model loads. */
    static void applyThreads(CliArgs args) {
        if (args.has("threads")) {
            int threads = args.getInt("threads", 0);
            if (threads < 1) {
                throw new CliArgs.UsageException("--threads must be positive");
            }
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
    }
}
