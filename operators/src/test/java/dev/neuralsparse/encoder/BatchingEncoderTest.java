package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /**
     * The device thread sleeps while it gathers a batch, up to maxWait, and the submitter whose
     * document fills the token budget wakes it: with a maxWait of a minute, only that wake-up can
     * send the first batch on its way within seconds.
     */
    @Test
    void documentsThatFillTheBudgetGoToTheDeviceWithoutWaitingOutMaxWait() throws Exception {
        SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(SharedFixtures.model("tiny-distilbert").toString())
                .setTokenBudget(512).build());
        try (BatchingEncoder batching = new BatchingEncoder(encoder, Duration.ofMinutes(1), 1)) {
            List<CompletableFuture<SparseVector>> results = new ArrayList<>();
            for (int i = 0; i < 40; i++) { // of some 15 tokens each: more than the budget
                results.add(batching.submit("document " + i + " about the folding of proteins in living cells and tissues"));
            }
            assertThat(results.get(0).get(20, TimeUnit.SECONDS).size()).isPositive();
        }
    }

    @Test
    void aTextTheTokenizerRefusesIsAnInputFaultAndFailsAloneAndCloseFailsWhatIsLeft() throws Exception {
        BatchingEncoder batching = new BatchingEncoder(open(), Duration.ofMillis(20), 1);
        CompletableFuture<SparseVector> bad = batching.submit(null);
        CompletableFuture<SparseVector> good = batching.submit("a good document");
        assertThatThrownBy(() -> bad.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnencodableDocumentException.class)
                .hasMessageContaining("null");
        assertThat(good.get(30, TimeUnit.SECONDS).size()).isPositive();
        batching.close();
        assertThatThrownBy(() -> batching.submit("late").get(5, TimeUnit.SECONDS)).hasMessageContaining("closed");
    }

    @Test
    void outOfMemorySplitsTheBatchLowersTheBudgetAndEveryDocumentStillGetsItsVector() throws Exception {
        List<JsonNode> docs = GoldenParityTest.expected("tiny-distilbert");
        FaultyDevice device = new FaultyDevice(open(), 1024);
        try (BatchingEncoder batching = new BatchingEncoder(device, Duration.ofMillis(200), 1)) {
            List<CompletableFuture<SparseVector>> results = new ArrayList<>();
            for (JsonNode doc : docs) {
                results.add(batching.submit(doc.get("text").asText()));
            }
            for (int i = 0; i < docs.size(); i++) {
                JsonNode doc = docs.get(i);
                if (doc.get("input_ids").size() <= 1024) {
                    GoldenParityTest.assertMatches(doc, results.get(i).get(60, TimeUnit.SECONDS), device.vocabulary());
                }
            }
            assertThat(device.outOfMemory.get()).as("the device ran out of memory").isPositive();
            assertThat(batching.splits()).as("batches split in halves").isPositive();
            assertThat(batching.tokenBudget()).as("budget lowered from the configured 8192").isLessThanOrEqualTo(1024);
        }
    }

    @Test
    void aDocumentThatDoesNotFitAloneIsAnInputFaultNamingItsSize() throws Exception {
        FaultyDevice device = new FaultyDevice(open(), 300);
        try (BatchingEncoder batching = new BatchingEncoder(device, Duration.ofMillis(20), 1)) {
            CompletableFuture<SparseVector> small = batching.submit("a short one");
            CompletableFuture<SparseVector> large = batching.submit("word ".repeat(600));
            assertThat(small.get(30, TimeUnit.SECONDS).size()).isPositive();
            assertThatThrownBy(() -> large.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(UnencodableDocumentException.class)
                    .hasMessageContaining("does not fit in device memory even alone");
        }
    }

    @Test
    void aBrokenDeviceFailsTheWholeBatchAsItIsAndNeverAsABadDocument() throws Exception {
        FaultyDevice device = new FaultyDevice(open(), Integer.MAX_VALUE);
        device.breakContext();
        try (BatchingEncoder batching = new BatchingEncoder(device, Duration.ofMillis(50), 1)) {
            CompletableFuture<SparseVector> a = batching.submit("first");
            CompletableFuture<SparseVector> b = batching.submit("second");
            for (CompletableFuture<SparseVector> f : List.of(a, b)) {
                assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                        .hasMessageContaining("illegal memory access")
                        .cause().isNotInstanceOf(UnencodableDocumentException.class);
            }
            assertThat(batching.splits()).isZero();
        }
    }

    @Test
    void aCancelledSubmissionNeverReachesTheDevice() throws Exception {
        FaultyDevice device = new FaultyDevice(open(), Integer.MAX_VALUE);
        device.slowDown(500);
        try (BatchingEncoder batching = new BatchingEncoder(device, Duration.ZERO, 1)) {
            CompletableFuture<SparseVector> first = batching.submit("occupies the device");
            Thread.sleep(200);
            CompletableFuture<SparseVector> timedOut = batching.submit("given up while waiting");
            Thread.sleep(50);
            timedOut.cancel(false);
            assertThat(first.get(30, TimeUnit.SECONDS).size()).isPositive();
            assertThat(batching.submit("after").get(30, TimeUnit.SECONDS).size()).isPositive();
            assertThat(device.forwardDocuments.get()).as("documents encoded: the cancelled one dropped").isEqualTo(2);
        }
    }

    /** Waits until a tokenizer thread is in a method of that name of {@link DocumentTokenizer}. */
    private static void awaitTokenizerInside(String method) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            for (Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
                if (t.getKey().getName().startsWith("neural-sparse-tokenizer") && Arrays.stream(t.getValue())
                        .anyMatch(f -> f.getClassName().equals(DocumentTokenizer.class.getName()) && f.getMethodName().equals(method))) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("no tokenizer thread was seen in DocumentTokenizer." + method + " within 30 s");
    }

    @Test
    void closingWhileATokenizerThreadIsInsideAHugeDocumentWaitsForItInsteadOfFreeingUnderIt() throws Exception {
        // 190,000 words in chunked-max mode: what crashed the JVM when the encoder closed under the
        // tokenizer. The CJK character sends the text to the Hugging Face tokenizer, whose native
        // memory that was (the Java tokenizer takes ASCII text, and holds nothing native).
        SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder()
                .setModel(SharedFixtures.model("tiny-distilbert").toString())
                .setLongDocuments(LongDocuments.chunkedMax())
                .build());
        BatchingEncoder batching = new BatchingEncoder(encoder, Duration.ofMillis(20), 2);
        CompletableFuture<SparseVector> huge = batching.submit("\u4e2d " + "lorem ipsum dolor sit amet ".repeat(38_000));
        // Closed once a tokenizer thread is seen inside the document, not after a fixed sleep: a
        // tokenizer that got through the text within the sleep left the test closing under the
        // device instead.
        awaitTokenizerInside("huggingFaceWordPieces");
        batching.close();
        assertThatThrownBy(() -> huge.get(60, TimeUnit.SECONDS)).hasMessageContaining("closed");
        // still alive: a tokenizer working on freed memory aborts the JVM before this line
        assertThat(batching.queueDepth()).isZero();
    }
}
