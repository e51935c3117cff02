package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.EngineException;
import dev.neuralsparse.encoder.UnencodableDocumentException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.opensearch.OpenSearchException;
import org.opensearch.action.DocWriteRequest;
import org.opensearch.action.bulk.BulkItemResponse;
import org.opensearch.action.bulk.BulkRequest;
import org.opensearch.action.bulk.BulkResponse;
import org.opensearch.action.index.IndexRequest;
import org.opensearch.core.rest.RestStatus;

/** Failure classes, and bulk responses read by document id, never by position. */
class BulkResponsesTest {

    @Test
    void everyFailureHasOneClass() {
        assertThat(FailureClass.ofEncoding(new UnencodableDocumentException("too large", null))).isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofEncoding(new RuntimeException(new UnencodableDocumentException("wrapped", null))))
                .isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofEncoding(new EngineException("CUDA error: device-side assert triggered")))
                .isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofEncoding(new java.util.concurrent.TimeoutException())).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofBulkItem(RestStatus.BAD_REQUEST)).isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofBulkItem(RestStatus.CONFLICT)).isEqualTo(FailureClass.STALE);
        assertThat(FailureClass.ofBulkItem(RestStatus.TOO_MANY_REQUESTS)).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofBulkItem(RestStatus.SERVICE_UNAVAILABLE)).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(520)).as("a code RestStatus does not know").isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(404)).isEqualTo(FailureClass.INPUT);
    }

    private static SourceRecord source(long offset) {
        return new SourceRecord("docs", 0, offset, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));
    }

    private static BulkItemResponse failed(int position, String id, RestStatus status) {
        return new BulkItemResponse(position, DocWriteRequest.OpType.INDEX,
                new BulkItemResponse.Failure("idx", id, new OpenSearchException("refused"), status));
    }

    @Test
    void itemsAreFoundByIdWhateverTheirPositionAndTwoWritesOfOneIdInOrder() {
        // A SinkDeadLetters whose producer never connects: these responses send no dead letter.
        SinkDeadLetters sink = SinkDeadLetters.forThisWriter(KafkaConnection.of("127.0.0.1:1"), "dlq");
        assertThat(SinkDeadLetters.forThisWriter(KafkaConnection.of("127.0.0.1:1"), "dlq")).as("the second asker takes it over").isSameAs(sink);
        try {
            sink.track("a", source(1));
            sink.track("b", source(2));
            sink.track("a", source(3));
            DeadLetterBulkInspector inspector = new DeadLetterBulkInspector(sink, new UnregisteredMetricsGroup());
            BulkRequest retried = new BulkRequest().add(new IndexRequest("idx").id("a").source("{}", org.opensearch.common.xcontent.XContentType.JSON));
            // positions 0 and 1 of a retried request: the original had three items
            inspector.inspect(retried, new BulkResponse(new BulkItemResponse[] {failed(0, "a", RestStatus.CONFLICT),
                    failed(1, "b", RestStatus.CONFLICT)}, 1));
            assertThat(sink.inFlight()).as("only the second write of a is left").isEqualTo(1);
            assertThat(sink.take("a").offset).isEqualTo(3);

            sink.track("c", source(4));
            assertThatThrownBy(() -> inspector.inspect(retried,
                    new BulkResponse(new BulkItemResponse[] {failed(0, "c", RestStatus.TOO_MANY_REQUESTS)}, 1)))
                    .hasMessageContaining("OpenSearch refused document c with TOO_MANY_REQUESTS")
                    .hasMessageContaining("restarting from the last checkpoint");
        } finally {
            sink.close();
        }
        assertThat(sink.inFlight()).as("cleared when the writer closes").isZero();
    }
}
