package dev.neuralsparse.encoder;

import java.io.Serializable;
import java.util.Objects;

/**
 * Everything needed to open a {@link SparseEncoder}, immutable and serializable so that a Flink
 * job can ship it to the TaskManagers that load the model.
 *
 * <pre>{@code
 * EncoderSpec spec = EncoderSpec.builder()
 *         .setModel("opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill")
 *         .setDevice(DeviceSpec.parse("gpu:0"))
 *         .setPrecision(Precision.FP16)
 *         .build();
 * }</pre>
 */
public final class EncoderSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Padded tokens per forward on CPU: large enough for efficient matmuls, ~1 GB of logits. */
    public static final int DEFAULT_TOKEN_BUDGET = 8192;
    public static final int DEFAULT_MAX_BATCH_SIZE = 256;

    private final String model;
    private final String modelRevision;
    private final String cacheDir;
    private final DeviceSpec device;
    private final Precision precision;
    private final int tokenBudget;
    private final int maxBatchSize;
    private final LongDocuments longDocuments;
    private final Pruning pruning;

    private EncoderSpec(Builder b) {
        this.model = b.model;
        this.modelRevision = b.modelRevision;
        this.cacheDir = b.cacheDir;
        this.device = b.device;
        this.precision = b.precision;
        this.tokenBudget = b.tokenBudget;
        this.maxBatchSize = b.maxBatchSize;
        this.longDocuments = b.longDocuments;
        this.pruning = b.pruning;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A local model folder or a hub repo id. */
    public String model() {
        return model;
    }

    /**
     * The revision of a hub model: a branch, a tag or a commit SHA ({@code main} by default). A job
     * pins it to the commit SHA when it is submitted, so that every TaskManager loads the same files.
     */
    public String modelRevision() {
        return modelRevision;
    }

    /** The hub cache folder, or null for the default. */
    public String cacheDir() {
        return cacheDir;
    }

    public DeviceSpec device() {
        return device;
    }

    public Precision precision() {
        return precision;
    }

    public int tokenBudget() {
        return tokenBudget;
    }

    public int maxBatchSize() {
        return maxBatchSize;
    }

    public LongDocuments longDocuments() {
        return longDocuments;
    }

    public Pruning pruning() {
        return pruning;
    }

    /** A copy on another device: how a GPU TaskManager points the spec at its own GPU. */
    public EncoderSpec withDevice(DeviceSpec other) {
        return toBuilder().setDevice(other).build();
    }

    public Builder toBuilder() {
        return new Builder()
                .setModel(model)
                .setModelRevision(modelRevision)
                .setCacheDir(cacheDir)
                .setDevice(device)
                .setPrecision(precision)
                .setTokenBudget(tokenBudget)
                .setMaxBatchSize(maxBatchSize)
                .setLongDocuments(longDocuments)
                .setPruning(pruning);
    }

    @Override
    public String toString() {
        return "EncoderSpec{model=" + model + ", revision=" + modelRevision + ", device=" + device + ", precision=" + precision
                + ", tokenBudget=" + tokenBudget + ", maxBatchSize=" + maxBatchSize
                + ", longDocuments=" + longDocuments + ", pruning=" + pruning + "}";
    }

    /** {@code setModel} is required; everything else has a default. */
    public static final class Builder {
        private String model;
        private String modelRevision = ModelResolver.DEFAULT_REVISION;
        private String cacheDir;
        private DeviceSpec device = DeviceSpec.cpu();
        private Precision precision = Precision.FP32;
        private int tokenBudget = DEFAULT_TOKEN_BUDGET;
        private int maxBatchSize = DEFAULT_MAX_BATCH_SIZE;
        private LongDocuments longDocuments = LongDocuments.truncate();
        private Pruning pruning = Pruning.none();

        public Builder setModel(String model) {
            this.model = model;
            return this;
        }

        public Builder setModelRevision(String modelRevision) {
            this.modelRevision = Objects.requireNonNull(modelRevision, "modelRevision");
            return this;
        }

        public Builder setCacheDir(String cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        public Builder setDevice(DeviceSpec device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        public Builder setPrecision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /** Most padded tokens (batch size x longest sequence) per forward pass. */
        public Builder setTokenBudget(int tokenBudget) {
            this.tokenBudget = tokenBudget;
            return this;
        }

        public Builder setMaxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        public Builder setLongDocuments(LongDocuments longDocuments) {
            this.longDocuments = Objects.requireNonNull(longDocuments, "longDocuments");
            return this;
        }

        public Builder setPruning(Pruning pruning) {
            this.pruning = Objects.requireNonNull(pruning, "pruning");
            return this;
        }

        public EncoderSpec build() {
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("model is required: a model folder or a hub repo id");
            }
            if (tokenBudget < LongDocuments.MAX_WINDOW_PIECES + 2) {
                throw new IllegalArgumentException("token budget " + tokenBudget
                        + " is below one full-length sequence (" + (LongDocuments.MAX_WINDOW_PIECES + 2) + ")");
            }
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("max batch size must be positive, got " + maxBatchSize);
            }
            if (precision == Precision.FP16 && device.isExplicitCpu()) {
                throw new IllegalArgumentException("precision fp16 needs a GPU device; use fp32 on cpu");
            }
            return new EncoderSpec(this);
        }
    }
}
