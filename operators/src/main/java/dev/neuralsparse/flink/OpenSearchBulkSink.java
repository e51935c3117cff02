package dev.neuralsparse.flink;

import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes encoded documents to OpenSearch with {@code _bulk} requests, at least once: every write
 * sent before a checkpoint is acknowledged before the checkpoint completes, and writes are
 * versioned ({@link RankFeaturesEmitter}), so what a restart replays is harmless. Each answer is
 * read item by item: a rejected document goes to the dead-letter topic, a stale write is counted,
 * a write refused with 429 is sent again after a back-off, and any other failure (a 5xx, an
 * unreachable or frozen cluster) fails the task, which restarts from its last checkpoint.
 *
 * <p>One bulk is in flight at a time and the next one is built meanwhile, so the writes of a
 * document reach OpenSearch in the order they came (two records with the same version field:
 * the later one wins).
 *
 * <pre>{@code
 * encoded.sinkTo(OpenSearchBulkSink.builder()
 *         .setConnection(OpenSearchConnection.of("http://localhost:9200"))
 *         .setIndex("docs")
 *         .setVectorField("sparse_embedding")
 *         .setDeadLetters(kafka, "docs-dlq")
 *         .build());
 * }</pre>
 */
public final class OpenSearchBulkSink implements Sink<EncodedDocument> {
    private static final long serialVersionUID = 1L;

    final OpenSearchConnection connection;
    final RankFeaturesEmitter emitter;
    final int maxActions;
    final long maxBytes;
    final Duration interval;
    final int retries;
    final Duration retryDelay;
    final KafkaConnection deadLetterKafka;
    final String deadLetterTopic;

    private OpenSearchBulkSink(Builder b) {
        this.connection = b.connection;
        this.emitter = new RankFeaturesEmitter(b.index, b.vectorField);
        this.maxActions = b.maxActions;
        this.maxBytes = b.maxBytes;
        this.interval = b.interval;
        this.retries = b.retries;
        this.retryDelay = b.retryDelay;
        this.deadLetterKafka = b.deadLetterKafka;
        this.deadLetterTopic = b.deadLetterTopic;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SinkWriter<EncodedDocument> createWriter(WriterInitContext context) {
        return new OpenSearchBulkWriter(this, context.getMailboxExecutor(), context.getProcessingTimeService(),
                context.metricGroup());
    }

    /** Flink 1.20 calls {@link #createWriter(WriterInitContext)}; this one is still abstract in its API. */
    @Override
    @Deprecated
    public SinkWriter<EncodedDocument> createWriter(Sink.InitContext context) {
        return new OpenSearchBulkWriter(this, context.getMailboxExecutor(), context.getProcessingTimeService(),
                context.metricGroup());
    }

    /** Connection, index and vector field are required. */
    public static final class Builder {
        private OpenSearchConnection connection;
        private String index;
        private String vectorField = DocumentFormat.DEFAULT_OUTPUT_FIELD;
        private int maxActions = 500;
        private long maxBytes = 5L << 20;
        private Duration interval = Duration.ofSeconds(1);
        private int retries = 5;
        private Duration retryDelay = Duration.ofMillis(500);
        private KafkaConnection deadLetterKafka;
        private String deadLetterTopic;

        public Builder setConnection(OpenSearchConnection connection) {
            this.connection = connection;
            return this;
        }

        public Builder setIndex(String index) {
            this.index = index;
            return this;
        }

        /** The field that receives the vector (default {@code sparse_embedding}). */
        public Builder setVectorField(String vectorField) {
            this.vectorField = vectorField;
            return this;
        }

        /** A bulk is sent when it holds this many writes (default 500). */
        public Builder setBulkFlushMaxActions(int maxActions) {
            this.maxActions = maxActions;
            return this;
        }

        /** A bulk is sent when its body reaches this size (default 5 MB), well under {@code http.max_content_length}. */
        public Builder setBulkFlushMaxSizeMb(int megabytes) {
            this.maxBytes = (long) megabytes << 20;
            return this;
        }

        /** A partial bulk is sent after this long (default 1 s). */
        public Builder setBulkFlushInterval(Duration interval) {
            this.interval = interval;
            return this;
        }

        /**
         * Writes refused with 429 (the cluster is busy) are sent again this many times (default 5),
         * after {@code delay} doubled at each try (default 500 ms); then the task fails.
         */
        public Builder setRetries(int retries, Duration delay) {
            this.retries = retries;
            this.retryDelay = delay;
            return this;
        }

        /** Where rejected documents go; without it, a rejected document fails the task. */
        public Builder setDeadLetters(KafkaConnection kafka, String topic) {
            this.deadLetterKafka = kafka;
            this.deadLetterTopic = topic;
            return this;
        }

        public OpenSearchBulkSink build() {
            Objects.requireNonNull(connection, "connection");
            check(index != null && !index.isBlank(), "the index must be named");
            check(vectorField != null && !vectorField.isBlank(), "the vector field must be named");
            check(maxActions > 0, "bulk actions must be positive, got " + maxActions);
            check(maxBytes > 0, "bulk size must be positive, got " + maxBytes + " bytes");
            check(interval != null && !interval.isNegative() && !interval.isZero(), "the bulk interval must be positive, got "
                    + interval);
            check(retries >= 0 && retryDelay != null && !retryDelay.isNegative(), "retries and their delay must not be negative");
            check((deadLetterKafka == null) == (deadLetterTopic == null), "dead letters need both a Kafka connection and a topic");
            return new OpenSearchBulkSink(this);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
