package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.EncoderSpec;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.common.operators.SlotSharingGroup;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The encoding stage of a pipeline, for any application: parsed {@link Document}s in, documents
 * with their sparse vectors out, plus the dead letters of documents that cannot be encoded.
 *
 * <pre>{@code
 * SparseEncodingStage.Result out = SparseEncodingStage.builder()
 *         .setEncoderSpec(EncoderSpec.builder().setModel(modelDir).build())
 *         .setCapacity(512)
 *         .setTimeout(Duration.ofMinutes(2))
 *         .build()
 *         .apply(documents);
 * out.encoded().sinkTo(opensearchSink);
 * out.deadLetters().sinkTo(deadLetterSink);
 * }</pre>
 *
 * <p>The stream is keyed by document id. Records of one id are handled one after the other in
 * arrival order, so the keyed state always holds the text last encoded for the id: a version
 * whose text (and model) did not change gets the kept vector without reaching the encoder
 * ({@code documentsSkipped}), a deletion clears the state. Documents of different ids are
 * encoded concurrently in shared, token-budget batches. Failures are handled by
 * {@link FailureClass}: input faults become dead letters, infrastructure faults are retried and
 * then fail the task. Checkpoints wait for the documents in flight, so none is in flight in a
 * snapshot and a restore never loses or repeats one.
 */
public final class SparseEncodingStage implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Flink's external resource name for GPUs (its GPU plugin). */
    public static final String GPU_RESOURCE = "gpu";

    final EncoderSpec spec;
    final EncoderFactory encoderFactory;
    final Duration maxWait;
    final int tokenizerThreads;
    final boolean tokenKeys;
    final boolean gpu;
    final boolean ordered;
    final int capacity;
    final Duration timeout;
    final int retries;
    final Duration retryDelay;
    final boolean skipUnchanged;
    final Duration stateTtl;
    final String uidPrefix;

    private SparseEncodingStage(Builder b) {
        spec = b.spec;
        encoderFactory = b.encoderFactory;
        maxWait = b.maxWait;
        tokenizerThreads = b.tokenizerThreads;
        tokenKeys = b.tokenKeys;
        gpu = b.gpu;
        ordered = b.ordered;
        capacity = b.capacity;
        timeout = b.timeout;
        retries = b.retries;
        retryDelay = b.retryDelay;
        skipUnchanged = b.skipUnchanged;
        stateTtl = b.stateTtl;
        uidPrefix = b.uidPrefix;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when vectors are keyed by token string (rank_features), false for token ids. */
    public boolean tokenKeys() {
        return tokenKeys;
    }

    /** The encoded documents (deletions included) and the dead letters of the stage. */
    public record Result(DataStream<EncodedDocument> encoded, DataStream<DeadLetter> deadLetters) {}

    /** Adds the stage after {@code documents}. */
    public Result apply(DataStream<Document> documents) {
        SingleOutputStreamOperator<EncodedDocument> encoded = documents
                .keyBy(new DocumentIdSelector())
                .transform("sparse-encode", TypeInformation.of(EncodedDocument.class), new SparseEncodeOperatorFactory(this))
                // Not 0.1's "sparse-encode": that async operator kept in-flight records as state that
                // this operator cannot read, so its savepoints must fail to map rather than drop them.
                .uid(uidPrefix + "sparse-encode-stage");
        if (gpu) {
            // Fine-grained resources: only TaskManagers that offer the external resource 'gpu' get this slot.
            encoded.slotSharingGroup(SlotSharingGroup.newBuilder("gpu-encoder")
                    .setCpuCores(1.0)
                    .setTaskHeapMemoryMB(1024)
                    .setTaskOffHeapMemoryMB(1024)
                    .setExternalResource(GPU_RESOURCE, 1.0)
                    .build());
        }
        SingleOutputStreamOperator<EncodedDocument> routed = encoded
                .process(new EncodeFailureRouter())
                .name("route-encode-failures")
                .uid(uidPrefix + "route-encode-failures");
        return new Result(routed, routed.getSideOutput(DocumentParser.DEAD_LETTERS));
    }

    /** {@code setEncoderSpec} is required; the rest has defaults. */
    public static final class Builder {
        private EncoderSpec spec;
        private EncoderFactory encoderFactory = EncoderFactory.sparseEncoder();
        private Duration maxWait = Duration.ofMillis(10);
        private int tokenizerThreads = 2;
        private boolean tokenKeys = true;
        private boolean gpu;
        private boolean ordered;
        private int capacity = 512;
        private Duration timeout = Duration.ofMinutes(2);
        private int retries = 2;
        private Duration retryDelay = Duration.ofMillis(500);
        private boolean skipUnchanged = true;
        private Duration stateTtl = Duration.ofDays(30);
        private String uidPrefix = "";

        public Builder setEncoderSpec(EncoderSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
            return this;
        }

        /** How the TaskManager opens the encoder (tests wrap the real one to inject device faults). */
        public Builder setEncoderFactory(EncoderFactory factory) {
            this.encoderFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** How long a batch waits to fill its token budget. */
        public Builder setMaxWait(Duration maxWait) {
            this.maxWait = Objects.requireNonNull(maxWait, "maxWait");
            return this;
        }

        public Builder setTokenizerThreads(int threads) {
            this.tokenizerThreads = threads;
            return this;
        }

        /** Vector keys: token strings (rank_features, the default) or token ids. */
        public Builder setTokenKeys(boolean tokenKeys) {
            this.tokenKeys = tokenKeys;
            return this;
        }

        /** Runs on TaskManagers with Flink's external resource {@code gpu}, one GPU per subtask. */
        public Builder setGpu(boolean gpu) {
            this.gpu = gpu;
            return this;
        }

        /** Emits in input order (default: as soon as encoded; per-id order holds either way). */
        public Builder setOrdered(boolean ordered) {
            this.ordered = ordered;
            return this;
        }

        /** Documents in flight (encoding, or waiting behind an earlier version of their id) per subtask. */
        public Builder setCapacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /**
         * How long a document may wait with no forward pass completing on its device; then the
         * device counts as stuck (an infrastructure fault). A long document is not a timeout.
         */
        public Builder setTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Retries of an infrastructure fault before the task fails. */
        public Builder setRetries(int retries, Duration delay) {
            this.retries = retries;
            this.retryDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        /** Keeps per id the text's hash and vector to skip re-encoding unchanged text (default on). */
        public Builder setSkipUnchanged(boolean skipUnchanged) {
            this.skipUnchanged = skipUnchanged;
            return this;
        }

        /** How long the kept text of an id not seen lives in state (refreshed on every record of it). */
        public Builder setStateTtl(Duration ttl) {
            this.stateTtl = Objects.requireNonNull(ttl, "ttl");
            return this;
        }

        /** Prefix of the operators' uids, to use the stage twice in one job. */
        public Builder setUidPrefix(String prefix) {
            this.uidPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public SparseEncodingStage build() {
            if (spec == null) {
                throw new IllegalArgumentException("the encoding stage needs an encoder spec");
            }
            check(capacity >= 1, "capacity must be at least 1, got " + capacity);
            check(tokenizerThreads >= 1, "tokenizer threads must be at least 1, got " + tokenizerThreads);
            check(retries >= 0, "retries must not be negative, got " + retries);
            check(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, got " + timeout);
            check(!maxWait.isNegative(), "max wait must not be negative, got " + maxWait);
            check(stateTtl.toMillis() >= 1000, "state TTL must be at least 1 s, got " + stateTtl);
            return new SparseEncodingStage(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /** The key of the stage: the document id. */
    static final class DocumentIdSelector implements org.apache.flink.api.java.functions.KeySelector<Document, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Document doc) {
            return doc.id;
        }
    }
}
