package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.BatchingEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed operator of {@link SparseEncodingStage}. It never blocks the task thread on the
 * device: a document is handed to the TaskManager's shared {@link BatchingEncoder}, and the result
 * comes back as a mail on the task's mailbox, where the keyed state is updated and the result
 * emitted. A record arriving while an earlier record of its id is still in flight waits behind it
 * (per-id order, and an exact skip decision). Before a checkpoint barrier and at the end of a
 * bounded input, it waits (yielding to the mailbox) until nothing is in flight, so no snapshot
 * holds a half-handled document.
 */
final class SparseEncodeOperator extends AbstractStreamOperator<EncodedDocument>
        implements OneInputStreamOperator<Document, EncodedDocument>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SparseEncodeOperator.class);

    /** One record on its way through the operator. */
    private static final class Slot {
        final Document doc;
        final boolean hasTimestamp;
        final long timestamp;
        byte[] hash;
        int attempt;
        long submitted;
        long progressAtArm;
        CompletableFuture<SparseVector> future;
        ScheduledFuture<?> timer;
        EncodedDocument result;

        Slot(Document doc, StreamRecord<?> record) {
            this.doc = doc;
            this.hasTimestamp = record.hasTimestamp();
            this.timestamp = record.getTimestamp();
        }
    }

    private final SparseEncodingStage stage;
    private final transient MailboxExecutor mailbox;

    private transient BatchingEncoder encoder;
    private transient EncodeMetrics metrics;
    private transient ValueState<EncodedText> lastEncoded;
    private transient byte[] modelIdentity;
    /** Used on the task thread only (processElement and mails). */
    private transient MessageDigest sha256;
    /** Per id with a record in flight: the records of that id waiting behind it. */
    private transient Map<String, ArrayDeque<Slot>> waitingById;
    /** Records submitted to the encoder and not completed: cancelled on close. */
    private transient Set<Slot> submitted;
    /** Every record admitted, in arrival order (ordered mode only). */
    private transient ArrayDeque<Slot> arrivalOrder;
    private transient int admitted;

    SparseEncodeOperator(SparseEncodingStage stage, MailboxExecutor mailbox) {
        this.stage = stage;
        this.mailbox = mailbox;
    }

    @Override
    public void open() throws Exception {
        super.open();
        waitingById = new HashMap<>();
        submitted = Collections.newSetFromMap(new IdentityHashMap<>());
        arrivalOrder = new ArrayDeque<>();
        EncoderSpec spec = stage.spec.withDevice(GpuAssignment.forSubtask(stage.spec.device(), flinkGpus(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), System.getenv("CUDA_VISIBLE_DEVICES"),
                stage.spec.device().isUnindexedGpu() ? ai.djl.util.cuda.CudaUtils.getGpuCount() : 0));
        LOG.info("Encoding on {} with {}", spec.device(), spec);
        encoder = SharedEncoders.acquire(spec, stage.encoderFactory, stage.maxWait, stage.tokenizerThreads);
        metrics = new EncodeMetrics(getMetricGroup(), encoder);
        modelIdentity = modelIdentity(spec);
        sha256 = MessageDigest.getInstance("SHA-256");
        if (stage.skipUnchanged) {
            ValueStateDescriptor<EncodedText> descriptor = new ValueStateDescriptor<>("last-encoded-text", EncodedText.class);
            // The heap backend's default cleanup visits five entries at every state access, two
            // accesses a document: 4.8% of this thread's samples in a profile of the job. One entry
            // an access still passes over a million ids in minutes at a thousand documents a
            // second, against a time to live of days. (RocksDB drops expired ids as it compacts.)
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(stage.stateTtl)
                    .updateTtlOnReadAndWrite()
                    .neverReturnExpired()
                    .cleanupIncrementally(1, false)
                    .cleanupInRocksdbCompactFilter(1000)
                    .build());
            lastEncoded = getRuntimeContext().getState(descriptor);
        }
    }

    private List<String> flinkGpus() {
        if (!stage.gpu) {
            return null;
        }
        Set<ExternalResourceInfo> infos = getRuntimeContext().getExternalResourceInfos(SparseEncodingStage.GPU_RESOURCE);
        return infos.stream().map(i -> i.getProperty("index").orElse(null)).filter(i -> i != null).toList();
    }

    /** What the vector of a text depends on besides the text: model and revision, precision, long documents, pruning. */
    private static byte[] modelIdentity(EncoderSpec spec) {
        return ("model=" + spec.model() + "@" + spec.modelRevision() + ";precision=" + spec.precision() + ";long=" + spec.longDocuments()
                + ";prune=" + spec.pruning() + "\u0000").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void processElement(StreamRecord<Document> record) throws Exception {
        while (held() >= stage.capacity) {
            mailbox.yield();
        }
        admitted++;
        // Kept past this call: with object reuse, the input object may be overwritten by the next record.
        Document doc = getExecutionConfig().isObjectReuseEnabled() ? copy(record.getValue()) : record.getValue();
        Slot slot = new Slot(doc, record);
        if (stage.ordered) {
            arrivalOrder.add(slot);
        }
        ArrayDeque<Slot> waiting = waitingById.get(slot.doc.id);
        if (waiting != null) {
            waiting.add(slot);
            return;
        }
        waitingById.put(slot.doc.id, new ArrayDeque<>());
        start(slot);
    }

    /** Records the operator holds: in ordered mode, finished ones wait for those ahead of them too. */
    private int held() {
        return stage.ordered ? arrivalOrder.size() : admitted;
    }

    /** Handles a record whose id has nothing else in flight; the current key is its id. */
    private void start(Slot slot) {
        Document doc = slot.doc;
        if (doc.deleted) {
            if (lastEncoded != null) {
                lastEncoded.clear();
            }
            finish(slot, EncodedDocument.deletion(doc));
            return;
        }
        if (lastEncoded != null) {
            slot.hash = hash(doc.textUtf8);
            EncodedText last = valueOf(lastEncoded);
            SparseVector kept = last != null && Arrays.equals(last.hash, slot.hash) ? last.vector() : null;
            if (kept != null) {
                metrics.skipped.inc();
                finish(slot, EncodedDocument.encoded(doc, kept, tokenKeys()));
                return;
            }
        }
        submit(slot);
    }

    private void submit(Slot slot) {
        int attempt = slot.attempt;
        metrics.attempts.inc();
        slot.submitted = System.nanoTime();
        slot.future = encoder.submit(slot.doc.text());
        submitted.add(slot);
        armTimeout(slot, attempt);
        slot.future.whenComplete((vector, error) -> toMailbox(() -> onEncoded(slot, attempt, vector, error)));
    }

    private void toMailbox(Runnable action) {
        try {
            mailbox.execute(action::run, "sparse-encode result");
        } catch (RejectedExecutionException closed) {
            // The task is closing: nobody waits for this result any more.
        }
    }

    private void armTimeout(Slot slot, int attempt) {
        slot.progressAtArm = encoder.forwardPasses();
        slot.timer = getProcessingTimeService().registerTimer(
                getProcessingTimeService().getCurrentProcessingTime() + stage.timeout.toMillis(),
                time -> onTimeout(slot, attempt));
    }

    /**
     * A timeout means a stuck device, not a long document: while forward passes keep completing
     * (a 1 MB text in chunked-max mode is hundreds of them, and a busy device works through the
     * queue ahead of it), the clock starts again. Only a device that completed nothing for the
     * whole timeout is a fault.
     */
    private void onTimeout(Slot slot, int attempt) {
        if (slot.result != null || slot.attempt != attempt) {
            return;
        }
        if (encoder.forwardPasses() != slot.progressAtArm) {
            armTimeout(slot, attempt);
            return;
        }
        // Cancelled, the batcher drops it if it has not reached the device: no pile-up on a slow device.
        slot.future.cancel(false);
        submitted.remove(slot);
        onInfrastructureFault(slot, new TimeoutException("encoding document '" + slot.doc.id + "' waited "
                + stage.timeout.toMillis() + " ms with no forward pass completing on " + encoder.encoder().spec().device()
                + " (device stuck?)"));
    }

    private void onEncoded(Slot slot, int attempt, SparseVector vector, Throwable error) {
        if (slot.result != null || slot.attempt != attempt) {
            return; // a timed-out attempt that finished after all
        }
        submitted.remove(slot);
        slot.timer.cancel(false);
        metrics.latencyMs.update((System.nanoTime() - slot.submitted) / 1_000_000);
        setCurrentKey(slot.doc.id);
        if (error == null) {
            metrics.encoded.inc();
            if (lastEncoded != null) {
                update(lastEncoded, EncodedText.of(slot.hash, vector));
            }
            finish(slot, EncodedDocument.encoded(slot.doc, vector, tokenKeys()));
        } else if (FailureClass.ofEncoding(error) == FailureClass.INPUT) {
            finish(slot, EncodedDocument.failed(slot.doc, "the document cannot be encoded: " + error.getMessage()));
        } else {
            onInfrastructureFault(slot, error);
        }
    }

    /** Retries after the delay, or fails the task: Flink restarts it from the last checkpoint. */
    private void onInfrastructureFault(Slot slot, Throwable error) {
        if (slot.attempt >= stage.retries) {
            throw new FlinkRuntimeException("encoding failed on the encoder's side " + (stage.retries + 1)
                    + " times for document '" + slot.doc.id + "' (" + slot.doc.source.coordinates() + "): " + error
                    + "; failing the task so that it restarts from the last checkpoint (an infrastructure fault,"
                    + " never a dead letter)", error);
        }
        slot.attempt++;
        metrics.retries.inc();
        LOG.warn("Encoding document '{}' failed ({}); retry {} of {} in {} ms", slot.doc.id, error.toString(),
                slot.attempt, stage.retries, stage.retryDelay.toMillis());
        getProcessingTimeService().registerTimer(
                getProcessingTimeService().getCurrentProcessingTime() + stage.retryDelay.toMillis(),
                time -> submit(slot));
    }

    private void finish(Slot slot, EncodedDocument result) {
        slot.result = result;
        admitted--;
        if (!stage.ordered) {
            emit(slot);
        } else {
            while (!arrivalOrder.isEmpty() && arrivalOrder.peek().result != null) {
                emit(arrivalOrder.poll());
            }
        }
        ArrayDeque<Slot> waiting = waitingById.get(slot.doc.id);
        Slot next = waiting.poll();
        if (next == null) {
            waitingById.remove(slot.doc.id);
        } else {
            setCurrentKey(next.doc.id);
            start(next);
        }
    }

    private void emit(Slot slot) {
        output.collect(slot.hasTimestamp ? new StreamRecord<>(slot.result, slot.timestamp) : new StreamRecord<>(slot.result));
    }

    private static Document copy(Document d) {
        Document c = new Document();
        c.id = d.id;
        c.textUtf8 = d.textUtf8;
        c.json = d.json;
        c.source = d.source;
        c.valueIsJson = d.valueIsJson;
        c.deleted = d.deleted;
        c.version = d.version;
        return c;
    }

    /** The vocabulary whose tokens key the vector, or null when it is keyed by token id. */
    private Vocabulary tokenKeys() {
        return stage.tokenKeys ? encoder.encoder().vocabulary() : null;
    }

    private byte[] hash(byte[] textUtf8) {
        sha256.reset();
        sha256.update(modelIdentity);
        return sha256.digest(textUtf8);
    }

    private static EncodedText valueOf(ValueState<EncodedText> state) {
        try {
            return state.value();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read the encoder's keyed state", e);
        }
    }

    private static void update(ValueState<EncodedText> state, EncodedText value) {
        try {
            state.update(value);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the encoder's keyed state", e);
        }
    }

    /** Nothing in flight at a barrier: the snapshot needs no record of pending work. */
    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        drain();
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() throws Exception {
        drain();
    }

    private void drain() throws InterruptedException {
        while (admitted > 0) {
            mailbox.yield();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (submitted != null) {
                for (Slot slot : submitted) {
                    slot.future.cancel(false);
                }
                submitted.clear();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (encoder != null) {
                SharedEncoders.release(encoder);
                encoder = null;
            }
        } finally {
            super.close();
        }
    }
}
