package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.BatchingEncoder;
import dev.neuralsparse.encoder.DeviceSpec;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseVector;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each document to the TaskManager's shared {@link BatchingEncoder} and completes the
 * result from the device thread: {@code asyncInvoke} never blocks the task thread. A document
 * that cannot be encoded (or times out) completes as a failed {@link EncodedDocument}, which the
 * retry strategy may retry and the job then routes to the dead letters; it never fails the job.
 *
 * <p>With {@code gpuFromResource}, the device is the GPU that Flink's external resource
 * framework assigned to this TaskManager ({@code getExternalResourceInfos("gpu")}).
 */
public class AsyncEncodeFunction extends RichAsyncFunction<Document, EncodedDocument> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AsyncEncodeFunction.class);
    public static final String GPU_RESOURCE = "gpu";

    private final EncoderSpec spec;
    private final Duration maxWait;
    private final int tokenizerThreads;
    private final boolean tokenKeys;
    private final boolean gpuFromResource;

    private transient BatchingEncoder encoder;
    private transient Counter attempts;
    private transient Counter encoded;
    private transient Counter failures;
    private transient Histogram latencyMs;
    private transient BatchingEncoder.BatchListener batchMetrics;

    public AsyncEncodeFunction(EncoderSpec spec, Duration maxWait, int tokenizerThreads, boolean tokenKeys,
            boolean gpuFromResource) {
        this.spec = spec;
        this.maxWait = maxWait;
        this.tokenizerThreads = tokenizerThreads;
        this.tokenKeys = tokenKeys;
        this.gpuFromResource = gpuFromResource;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        EncoderSpec effective = gpuFromResource ? spec.withDevice(assignedGpu()) : spec;
        encoder = SharedEncoders.acquire(effective, maxWait, tokenizerThreads);
        registerMetrics(getRuntimeContext().getMetricGroup().addGroup("neuralSparse"));
    }

    private DeviceSpec assignedGpu() {
        Set<ExternalResourceInfo> gpus = getRuntimeContext().getExternalResourceInfos(GPU_RESOURCE);
        String index = gpus.stream()
                .map(info -> info.getProperty("index").orElse(null))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the encoder runs with --gpu, but this TaskManager has no"
                        + " external resource '" + GPU_RESOURCE + "' (see deploy/ for the Flink GPU configuration)"));
        LOG.info("Encoding on GPU {} assigned by Flink's external resource framework", index);
        return DeviceSpec.gpu(Integer.parseInt(index.trim()));
    }

    private void registerMetrics(MetricGroup group) {
        // Per attempt: the retry strategy calls asyncInvoke again for a failed document, and
        // Flink's own numRecordsIn already counts documents.
        attempts = group.counter("encodeAttempts");
        encoded = group.counter("documentsEncoded");
        failures = group.counter("encodeFailures");
        group.meter("documentsEncodedPerSecond", new MeterView(encoded));
        latencyMs = group.histogram("encodeLatencyMs", new DescriptiveStatisticsHistogram(1000));
        group.gauge("queueDepth", encoder::queueDepth);
        AtomicLong lastBatchDocuments = new AtomicLong();
        AtomicLong lastBatchTokens = new AtomicLong();
        AtomicLong tokens = new AtomicLong();
        AtomicLong padded = new AtomicLong();
        group.gauge("batchDocuments", lastBatchDocuments::get);
        group.gauge("batchTokens", lastBatchTokens::get);
        group.gauge("paddingRatio", () -> padded.get() == 0 ? 0.0 : 1.0 - (double) tokens.get() / padded.get());
        batchMetrics = (docs, batchTokens, paddedTokens, nanos) -> {
            lastBatchDocuments.set(docs);
            lastBatchTokens.set(batchTokens);
            tokens.addAndGet(batchTokens);
            padded.addAndGet(paddedTokens);
        };
        encoder.addListener(batchMetrics);
    }

    @Override
    public void asyncInvoke(Document doc, ResultFuture<EncodedDocument> result) {
        attempts.inc();
        long start = System.nanoTime();
        encoder.submit(doc.text).whenComplete((vector, error) -> {
            latencyMs.update((System.nanoTime() - start) / 1_000_000);
            if (error != null) {
                failures.inc();
                result.complete(Collections.singleton(EncodedDocument.failed(doc, "encoding failed: " + error)));
            } else {
                encoded.inc();
                result.complete(Collections.singleton(EncodedDocument.encoded(doc, keys(vector))));
            }
        });
    }

    private LinkedHashMap<String, Float> keys(SparseVector v) {
        return tokenKeys ? v.toTokenMap(encoder.encoder().vocabulary()) : v.toIdMap();
    }

    @Override
    public void timeout(Document doc, ResultFuture<EncodedDocument> result) {
        failures.inc();
        result.complete(Collections.singleton(EncodedDocument.failed(doc, "encoding timed out")));
    }

    @Override
    public void close() throws Exception {
        if (encoder != null) {
            encoder.removeListener(batchMetrics);
            SharedEncoders.release(encoder);
            encoder = null;
        }
    }
}
