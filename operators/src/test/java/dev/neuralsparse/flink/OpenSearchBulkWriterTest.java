package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.neuralsparse.encoder.SparseVector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.apache.flink.streaming.runtime.tasks.StreamTaskActionExecutor;
import org.apache.flink.streaming.runtime.tasks.mailbox.MailboxExecutorImpl;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailboxImpl;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The writer against a local server that answers {@code _bulk} as OpenSearch documents it (per-item
 * statuses in request order, {@code errors} first), scripted to be busy or to fail, which a real
 * single node cannot be made to do on demand. Runs the writer on a real Flink mailbox, with this
 * test's thread as the task thread. Writing, rejected documents and dead letters against a real
 * OpenSearch and Kafka are in the job's ITs.
 */
class OpenSearchBulkWriterTest {
    private static final Pattern ID = Pattern.compile("\"_id\":\"([^\"]+)\"");
    private static final SourceRecord SOURCE = new SourceRecord("docs", 0, 1, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));

    /** The answer to a request: an HTTP status and, per item, its status (null: every item 201). */
    private record Answer(int http, int[] items) {}

    private HttpServer server;
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Answer> script = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private MailboxExecutor mailbox;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/_bulk", exchange -> {
            List<String> ids = new ArrayList<>();
            Matcher m = ID.matcher(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            while (m.find()) {
                ids.add(m.group(1));
            }
            requests.add(ids);
            Answer answer = script.poll();
            byte[] body = (answer != null && answer.http != 200 ? "{\"error\":\"busy\",\"status\":" + answer.http + "}"
                    : answer(ids.size(), answer == null ? null : answer.items)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer == null ? 200 : answer.http, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        mailbox = new MailboxExecutorImpl(new TaskMailboxImpl(Thread.currentThread()), 0, StreamTaskActionExecutor.IMMEDIATE);
    }

    private static String answer(int count, int[] statuses) {
        StringBuilder items = new StringBuilder();
        boolean errors = false;
        for (int i = 0; i < count; i++) {
            int status = statuses == null ? 201 : statuses[i];
            errors |= status >= 300;
            items.append(i == 0 ? "" : ",").append("{\"index\":{\"status\":").append(status)
                    .append(status >= 300 ? ",\"error\":{\"type\":\"some_exception\",\"reason\":\"scripted\"}" : "").append("}}");
        }
        return "{\"errors\":" + errors + ",\"items\":[" + items + "]}";
    }

    @AfterEach
    void stop() {
        server.stop(0);
        timers.shutdownNow();
    }

    private OpenSearchBulkWriter writer() {
        OpenSearchBulkSink sink = OpenSearchBulkSink.builder()
                .setConnection(OpenSearchConnection.of("http://127.0.0.1:" + server.getAddress().getPort()))
                .setIndex("idx")
                .setBulkFlushMaxActions(3)
                .setBulkFlushInterval(Duration.ofHours(1))
                .setRetries(2, Duration.ofMillis(20))
                .build();
        ProcessingTimeService time = new ProcessingTimeService() {
            @Override
            public long getCurrentProcessingTime() {
                return System.currentTimeMillis();
            }

            @Override
            public ScheduledFuture<?> registerTimer(long at, ProcessingTimeCallback callback) {
                // As in a Flink task: the callback runs on the task thread, through the mailbox.
                return timers.schedule(() -> mailbox.execute(() -> callback.onProcessingTime(at), "timer"),
                        Math.max(0, at - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            }
        };
        return new OpenSearchBulkWriter(sink, mailbox, time,
                InternalSinkWriterMetricGroup.wrap(UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup()));
    }

    private static EncodedDocument doc(String id) {
        Document d = new Document(id, "text", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), SOURCE);
        return EncodedDocument.encoded(d, SparseVector.of(Map.of(7, 1f)), null);
    }

    private static void write(OpenSearchBulkWriter writer, String... ids) throws Exception {
        for (String id : ids) {
            writer.write(doc(id), null);
        }
    }

    @Test
    void busyWritesAreSentAgainAloneAndBeforeAnyLaterWrite() throws Exception {
        script.add(new Answer(200, new int[] {201, 429, 201}));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "d1", "d2", "d3", "d4", "d5", "d6", "d7");
            writer.flush(false);
        }
        assertThat(requests).containsExactly(List.of("d1", "d2", "d3"), List.of("d2"), List.of("d4", "d5", "d6"), List.of("d7"));
    }

    @Test
    void aWholeBulkRefusedAsBusyIsSentAgainThenTheTaskFails() throws Exception {
        script.add(new Answer(429, null));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "a", "b");
            writer.flush(false);
        }
        assertThat(requests).containsExactly(List.of("a", "b"), List.of("a", "b"));

        requests.clear();
        for (int i = 0; i < 3; i++) {
            script.add(new Answer(429, null));
        }
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "c");
            assertThatThrownBy(() -> writer.flush(false)).isInstanceOf(FlinkRuntimeException.class)
                    .hasMessageContaining("still busy after 2 retries").hasMessageContaining("restarting from the last checkpoint");
        }
        assertThat(requests).hasSize(3);
    }

    @Test
    void aStaleWriteIsFineAServerErrorFailsTheTask() throws Exception {
        script.add(new Answer(200, new int[] {409, 201}));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "old", "new");
            writer.flush(false);
        }
        script.add(new Answer(200, new int[] {201, 503}));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "x", "y");
            assertThatThrownBy(() -> writer.flush(false))
                    .hasMessageContaining("OpenSearch refused document 'y' with 503 SERVICE_UNAVAILABLE some_exception: scripted")
                    .hasMessageContaining("restarting from the last checkpoint");
        }
        script.add(new Answer(500, null));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "z");
            assertThatThrownBy(() -> writer.flush(false)).hasMessageContaining("a bulk of 1 writes")
                    .hasMessageContaining("restarting from the last checkpoint");
        }
    }

    @Test
    void withoutADeadLetterTopicARejectedDocumentFailsTheTaskSayingWhy() throws Exception {
        script.add(new Answer(200, new int[] {400}));
        try (OpenSearchBulkWriter writer = writer()) {
            write(writer, "bad");
            assertThatThrownBy(() -> writer.flush(false)).hasMessageContaining("document 'bad': OpenSearch rejected the document: 400")
                    .hasMessageContaining("no dead-letter topic");
        }
    }

    @Test
    void aFailedEncodingNeverBecomesAWrite() throws Exception {
        try (OpenSearchBulkWriter writer = writer()) {
            assertThatThrownBy(() -> writer.write(EncodedDocument.failed(new Document("f", "t", "{}".getBytes(StandardCharsets.UTF_8), SOURCE), "too long"), null))
                    .hasMessageContaining("document 'f' failed to encode (too long)");
        }
        assertThat(requests).isEmpty();
    }
}
