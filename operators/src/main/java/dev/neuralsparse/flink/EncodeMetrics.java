package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.BatchingEncoder;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The encoding stage's metrics, group {@code neuralSparse} of the operator. */
final class EncodeMetrics {
    /** Per submission to the encoder, retries included (Flink's numRecordsIn counts documents). */
    final Counter attempts;
    final Counter encoded;
    /** Documents whose text had not changed: their kept vector was reused, the encoder not called. */
    final Counter skipped;
    /** Infrastructure faults retried. */
    final Counter retries;
    final Histogram latencyMs;
    private final BatchingEncoder encoder;
    private final BatchingEncoder.BatchListener batches;

    EncodeMetrics(MetricGroup operator, BatchingEncoder encoder) {
        MetricGroup group = operator.addGroup("neuralSparse");
        this.encoder = encoder;
        attempts = group.counter("encodeAttempts");
        encoded = group.counter("documentsEncoded");
        skipped = group.counter("documentsSkipped");
        retries = group.counter("encodeRetries");
        group.meter("documentsEncodedPerSecond", new MeterView(encoded));
        latencyMs = group.histogram("encodeLatencyMs", new DescriptiveStatisticsHistogram(1000));
        group.gauge("queueDepth", encoder::queueDepth);
        group.gauge("batchSplits", encoder::splits);
        group.gauge("tokenBudget", encoder::tokenBudget);
        if (encoder.encoder().deviceMemoryUsed() >= 0) {
            group.gauge("deviceMemoryUsedBytes", () -> encoder.encoder().deviceMemoryUsed());
        }
        AtomicLong lastBatchDocuments = new AtomicLong();
        AtomicLong lastBatchTokens = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        AtomicLong padded = new AtomicLong();
        group.gauge("batchDocuments", lastBatchDocuments::get);
        group.gauge("batchTokens", lastBatchTokens::get);
        group.gauge("paddingRatio", () -> padded.get() == 0 ? 0.0 : 1.0 - (double) tokens.get() / padded.get());
        batches = (docs, batchTokens, paddedTokens, nanos) -> {
            lastBatchDocuments.set(docs);
            lastBatchTokens.set(batchTokens);
            tokens.addAndGet(batchTokens);
            padded.addAndGet(paddedTokens);
        };
        encoder.addListener(batches);
    }

    void close() {
        encoder.removeListener(batches);
    }
}
