package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.EngineException;
import dev.neuralsparse.encoder.UnencodableDocumentException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Failure classes, and bulk answers read item by item in request order. */
class BulkResponsesTest {

    @Test
    void everyFailureHasOneClass() {
        assertThat(FailureClass.ofEncoding(new UnencodableDocumentException("too large", null))).isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofEncoding(new RuntimeException(new UnencodableDocumentException("wrapped", null))))
                .isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofEncoding(new EngineException("CUDA error: device-side assert triggered")))
                .isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofEncoding(new java.util.concurrent.TimeoutException())).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(400)).isEqualTo(FailureClass.INPUT);
        assertThat(FailureClass.ofHttpStatus(409)).isEqualTo(FailureClass.STALE);
        assertThat(FailureClass.ofHttpStatus(429)).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(503)).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(520)).as("a code HTTP does not name").isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(FailureClass.ofHttpStatus(404)).isEqualTo(FailureClass.INPUT);
    }

    @Test
    void anAnswerWithoutErrorsIsNotReadItemByItem() throws Exception {
        BulkResult ok = BulkResult.parse(utf8("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},{\"delete\":"
                + "{\"status\":200}}]}"), 2);
        assertThat(ok.items()).isEqualTo(2);
        assertThat(ok.failed(0) || ok.failed(1)).isFalse();
    }

    @Test
    void failedItemsAreReadInRequestOrderWithTheirCauses() throws Exception {
        String answer = "{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":\"failed to parse field"
                + " [year]\",\"caused_by\":{\"type\":\"number_format_exception\",\"reason\":\"For input string\"}}}},"
                + "{\"delete\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"x\"}}},"
                + "{\"index\":{\"status\":429,\"error\":{\"type\":\"rejected_execution_exception\",\"reason\":\"busy\"}}}]}";
        BulkResult r = BulkResult.parse(utf8(answer), 4);
        assertThat(r.failed(0)).isFalse();
        assertThat(r.status(1)).isEqualTo(400);
        assertThat(r.failure(1)).isEqualTo("400 BAD_REQUEST mapper_parsing_exception: failed to parse field [year]"
                + " (caused by number_format_exception: For input string)");
        assertThat(r.status(2)).isEqualTo(409);
        assertThat(r.status(3)).isEqualTo(429);
        assertThatThrownBy(() -> BulkResult.parse(utf8(answer), 5)).hasMessageContaining("answered 4 items to a bulk of 5");
        assertThatThrownBy(() -> BulkResult.parse(utf8("{\"took\":3}"), 1)).hasMessageContaining("without the 'errors' flag");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
