package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchingEncoderTest {
    private static SparseEncoder open() {
        return SparseEncoder.open(EncoderSpec.builder().setModel(SharedFixtures.model("tiny-distilbert").toString()).build());
    }

    @Test
    void documentsSubmittedFromManyThreadsAreBatchedAndEachGetsItsOwnVector() throws Exception {
        List<JsonNode> docs = GoldenParityTest.expected("tiny-distilbert");
        AtomicInteger batchedDocuments = new AtomicInteger();
        try (BatchingEncoder batching = new BatchingEncoder(open(), Duration.ofMillis(50), 2)) {
            batching.addListener((n, tokens, padded, nanos) -> batchedDocuments.addAndGet(n));
            ExecutorService callers = Executors.newFixedThreadPool(4);
            List<CompletableFuture<SparseVector>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (JsonNode doc : docs) {
                    CompletableFuture<SparseVector> f = new CompletableFuture<>();
                    callers.execute(() -> batching.submit(doc.get("text").asText()).whenComplete((v, e) -> {
                        if (e != null) {
                            f.completeExceptionally(e);
                        } else {
                            f.complete(v);
                        }
                    }));
                    results.add(f);
                }
            }
            for (int i = 0; i < results.size(); i++) {
                JsonNode doc = docs.get(i % docs.size());
                GoldenParityTest.assertMatches(doc, results.get(i).get(60, TimeUnit.SECONDS), batching.encoder().vocabulary());
            }
            callers.shutdown();
            assertThat(batchedDocuments.get()).isEqualTo(results.size());
            assertThat(batching.batches()).as("forward passes").isLessThan(results.size());
            assertThat(batching.queueDepth()).isZero();
        }
    }

    @Test
    void aBadDocumentFailsAloneAndCloseFailsWhatIsLeft() throws Exception {
        BatchingEncoder batching = new BatchingEncoder(open(), Duration.ofMillis(20), 1);
        CompletableFuture<SparseVector> bad = batching.submit(null);
        CompletableFuture<SparseVector> good = batching.submit("a good document");
        assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("null");
        assertThat(good.get(30, TimeUnit.SECONDS).size()).isPositive();
        batching.close();
        assertThatThrownBy(() -> batching.submit("late").get(5, TimeUnit.SECONDS)).hasMessageContaining("closed");
    }
}
