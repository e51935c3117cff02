package dev.neuralsparse.flink;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.stream.IntStream;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.function.ThrowingRunnable;
import org.apache.http.util.EntityUtils;
import org.opensearch.client.Request;
import org.opensearch.client.Response;
import org.opensearch.client.ResponseException;
import org.opensearch.client.ResponseListener;
import org.opensearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer of {@link OpenSearchBulkSink}. Documents are written into the bulk being built; a
 * full bulk is sent when the one in flight has been answered, and at most one full bulk waits
 * behind it (then {@link #write} waits: back-pressure). Answers come back as mails on the task's
 * mailbox, so every piece of state here is touched by the task thread only. A checkpoint
 * ({@link #flush}) sends what is built and waits until every bulk is answered.
 */
final class OpenSearchBulkWriter implements SinkWriter<EncodedDocument> {
    private static final Logger LOG = LoggerFactory.getLogger(OpenSearchBulkWriter.class);
    private static final int TOO_MANY_REQUESTS = 429;

    private final OpenSearchBulkSink sink;
    private final MailboxExecutor mailbox;
    private final ProcessingTimeService time;
    private final RestClient client;
    private final SinkDeadLetters deadLetters;
    private final Counter recordsSent;
    private final Counter bytesSent;
    private final Counter stale;
    private final Counter retried;

    private BulkBatch building;
    /** Full, waiting for the one in flight to be answered. */
    private BulkBatch ready;
    /** Sent and not answered, or waiting to be sent again: nothing else is sent meanwhile. */
    private BulkBatch inFlight;
    private ScheduledFuture<?> intervalTimer;
    private volatile long lastSendMillis;
    private volatile long lastAnswerMillis = Long.MAX_VALUE;
    private volatile boolean closed;

    OpenSearchBulkWriter(OpenSearchBulkSink sink, MailboxExecutor mailbox, ProcessingTimeService time, SinkWriterMetricGroup metrics) {
        this.sink = sink;
        this.mailbox = mailbox;
        this.time = time;
        this.building = new BulkBatch(0, 0);
        this.recordsSent = metrics.getNumRecordsSendCounter();
        this.bytesSent = metrics.getNumBytesSendCounter();
        metrics.setCurrentSendTimeGauge(() -> lastAnswerMillis - lastSendMillis);
        this.stale = metrics.addGroup("neuralSparse").counter("staleWritesRefused");
        this.retried = metrics.addGroup("neuralSparse").counter("bulkWritesRetried");
        this.deadLetters = sink.deadLetterKafka == null ? null
                : new SinkDeadLetters(sink.deadLetterKafka, sink.deadLetterTopic, metrics);
        this.client = sink.connection.newRestClient();
        scheduleInterval();
    }

    @Override
    public void write(EncodedDocument doc, Context context) throws IOException, InterruptedException {
        if (doc.failed()) {
            throw new IllegalArgumentException("document '" + doc.document.id + "' failed to encode (" + doc.error
                    + ") and reached the OpenSearch sink: route failures to the dead letters first");
        }
        String invalid = RankFeaturesEmitter.invalid(doc);
        if (invalid != null) {
            reject(doc.document.id, doc.document.source, "invalid_write", "OpenSearch would refuse the whole bulk for this"
                    + " write: " + invalid);
            if (deadLetters != null) {
                deadLetters.flush();
            }
            return;
        }
        while (ready != null) {
            mailbox.yield();
        }
        sink.emitter.write(doc, building);
        recordsSent.inc();
        if (building.items() >= sink.maxActions || building.bytes() >= sink.maxBytes) {
            seal();
        }
    }

    /** Sends what is built and waits until every bulk is answered (checkpoints and end of input). */
    @Override
    public void flush(boolean endOfInput) throws InterruptedException {
        if (building.items() > 0) {
            while (ready != null) {
                mailbox.yield();
            }
            seal();
        }
        while (inFlight != null || ready != null) {
            mailbox.yield();
        }
    }

    private void seal() {
        ready = building;
        // As large as the last one: a body grown by doubling from small copied and zeroed several
        // times its size (a measured part of writing a document).
        building = new BulkBatch(0, ready.bytes());
        sendNext();
    }

    private void sendNext() {
        if (inFlight == null && ready != null) {
            inFlight = ready;
            ready = null;
            send(inFlight);
        }
    }

    private void send(BulkBatch batch) {
        Request request = new Request("POST", "/_bulk");
        request.addParameter("filter_path", BulkResult.FILTER_PATH);
        request.setEntity(batch.entity());
        lastSendMillis = System.currentTimeMillis();
        bytesSent.inc(batch.bytes());
        client.performRequestAsync(request, new ResponseListener() {
            @Override
            public void onSuccess(Response response) {
                BulkResult result;
                try { // parsed here, on the client's I/O thread, not on the task thread
                    result = BulkResult.parse(EntityUtils.toByteArray(response.getEntity()), batch.items());
                } catch (IOException e) {
                    onFailure(e);
                    return;
                }
                toMailbox(() -> onAnswer(batch, result), "opensearch bulk answer");
            }

            @Override
            public void onFailure(Exception failure) {
                toMailbox(() -> onRequestFailed(batch, failure), "opensearch bulk failure");
            }
        });
    }

    private void toMailbox(ThrowingRunnable<? extends Exception> action, String name) {
        if (closed) {
            return;
        }
        try {
            mailbox.execute(action, name);
        } catch (RejectedExecutionException closing) {
            // The task is closing: nobody waits for this answer any more.
        }
    }

    /** Each failed item by its {@link FailureClass}; 429s are sent again, the others are handled here. */
    private void onAnswer(BulkBatch batch, BulkResult result) {
        lastAnswerMillis = System.currentTimeMillis();
        inFlight = null;
        int[] busy = new int[result.items()];
        int busyCount = 0;
        FlinkRuntimeException fault = null;
        for (int i = 0; i < result.items(); i++) {
            if (!result.failed(i)) {
                continue;
            }
            if (result.status(i) == TOO_MANY_REQUESTS) {
                busy[busyCount++] = i;
                continue;
            }
            switch (FailureClass.ofHttpStatus(result.status(i))) {
                case STALE -> stale.inc();
                case INPUT -> reject(batch.id(i), batch.record(i), "rejected", "OpenSearch rejected the document: " + result.failure(i));
                case INFRASTRUCTURE -> fault = fault != null ? fault : new FlinkRuntimeException("OpenSearch refused document '"
                        + batch.id(i) + "' with " + result.failure(i) + "; restarting from the last checkpoint");
            }
        }
        if (deadLetters != null) {
            deadLetters.flush();
        }
        if (fault != null) {
            throw fault;
        }
        if (busyCount > 0) {
            retry(batch.retry(Arrays.copyOf(busy, busyCount)), busyCount + " of " + batch.items() + " writes refused with 429 (busy)");
        } else {
            sendNext();
        }
    }

    private void onRequestFailed(BulkBatch batch, Exception failure) {
        inFlight = null;
        int status = failure instanceof ResponseException r ? r.getResponse().getStatusLine().getStatusCode() : 0;
        if (status == TOO_MANY_REQUESTS) {
            retry(batch.retry(IntStream.range(0, batch.items()).toArray()), "the whole bulk refused with 429 (busy)");
            return;
        }
        throw new FlinkRuntimeException(describe(batch, status, failure), sink.connection.explain(failure));
    }

    private String describe(BulkBatch batch, int status, Exception failure) {
        String what = "a bulk of " + batch.items() + " writes (" + batch.bytes() + " bytes) to OpenSearch at " + sink.connection.url();
        if (status == 401 || status == 403) {
            return sink.connection.authenticationFailed(status);
        }
        if (status == 413) {
            return what + " is larger than it accepts (413, http.max_content_length): lower --bulk-size-mb";
        }
        return what + " failed: " + failure.getMessage() + "; restarting from the last checkpoint";
    }

    /** Sends {@code batch} again after a back-off that doubles with each attempt, or fails the task. */
    private void retry(BulkBatch batch, String why) {
        if (batch.attempt() > sink.retries) {
            throw new FlinkRuntimeException("OpenSearch at " + sink.connection.url() + " is still busy after " + sink.retries
                    + " retries: " + why + "; restarting from the last checkpoint");
        }
        long delay = sink.retryDelay.toMillis() << Math.min(batch.attempt() - 1, 20);
        retried.inc(batch.items());
        LOG.warn("{}: sending {} writes again in {} ms (retry {} of {})", why, batch.items(), delay, batch.attempt(), sink.retries);
        inFlight = batch; // holds the place: nothing is sent before it, so the order of writes is kept
        time.registerTimer(time.getCurrentProcessingTime() + delay, t -> send(batch));
    }

    /** A write that can never succeed: a dead letter, or without a dead-letter topic a failed task. */
    private void reject(String id, SourceRecord source, String reasonClass, String reason) {
        if (deadLetters == null) {
            throw new FlinkRuntimeException("document '" + id + "': " + reason + " (and the sink has no dead-letter topic)");
        }
        deadLetters.send(new DeadLetter(DeadLetter.Stage.INDEX, reasonClass, reason, source, id));
    }

    /** A partial bulk waits at most one interval (then it is sealed, and sent when the one in flight is answered). */
    private void scheduleInterval() {
        intervalTimer = time.registerTimer(time.getCurrentProcessingTime() + sink.interval.toMillis(), t -> {
            if (building.items() > 0 && ready == null) {
                seal();
            }
            if (!closed) {
                scheduleInterval();
            }
        });
    }

    @Override
    public void close() throws Exception {
        closed = true;
        if (intervalTimer != null) {
            intervalTimer.cancel(false);
        }
        try {
            client.close();
        } finally {
            if (deadLetters != null) {
                deadLetters.close();
            }
        }
    }
}
