package dev.neuralsparse.encoder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching in front of one {@link SparseEncoder} (one device): callers submit single
 * documents from any thread and get a future; tokenization runs ahead on CPU threads; one device
 * thread gathers tokenized documents until the token budget is reached or {@code maxWait} has
 * passed since the first one, encodes them in one call and completes each document's future.
 *
 * <p>This is the batching that OpenSearch's in-cluster path (one document per model call) lacks.
 * A batch that fails is retried document by document, so one bad document fails alone.
 */
public final class BatchingEncoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingEncoder.class);

    /** Told about every forward batch, for metrics. */
    public interface BatchListener {
        void onBatch(int documents, long tokens, long paddedTokens, long nanos);
    }

    private record Pending(TokenizedDocument document, CompletableFuture<SparseVector> result) {}

    private final SparseEncoder encoder;
    private final int tokenBudget;
    private final long maxWaitNanos;
    private final ExecutorService tokenizers;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Futures handed out and not completed yet: all of them are failed on close, none forgotten. */
    private final java.util.Set<CompletableFuture<SparseVector>> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicLong batches = new AtomicLong();
    private final Thread device;
    private final List<BatchListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public BatchingEncoder(SparseEncoder encoder, Duration maxWait, int tokenizerThreads) {
        this.encoder = encoder;
        this.tokenBudget = encoder.spec().tokenBudget();
        this.maxWaitNanos = maxWait.toNanos();
        this.tokenizers = Executors.newFixedThreadPool(tokenizerThreads, daemon("neural-sparse-tokenizer"));
        this.device = daemon("neural-sparse-device-" + encoder.spec().device()).newThread(this::deviceLoop);
        this.device.start();
    }

    public SparseEncoder encoder() {
        return encoder;
    }

    public void addListener(BatchListener listener) {
        listeners.add(listener);
    }

    public void removeListener(BatchListener listener) {
        listeners.remove(listener);
    }

    /** Documents submitted and not yet completed. */
    public int queueDepth() {
        return open.size();
    }

    public long batches() {
        return batches.get();
    }

    /** Encodes {@code text} in some upcoming batch; never blocks the caller. */
    public CompletableFuture<SparseVector> submit(String text) {
        CompletableFuture<SparseVector> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("the batching encoder is closed"));
            return result;
        }
        open.add(result);
        result.whenComplete((v, e) -> open.remove(result));
        try {
            tokenizers.execute(() -> {
                try {
                    queue.add(new Pending(encoder.tokenize(text), result));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the batching encoder is closed", e));
        }
        return result;
    }

    private void deviceLoop() {
        while (running) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first != null) {
                    encode(gather(first));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                LOG.error("Unexpected error in the device loop; going on", t);
            }
        }
    }

    /** Waits up to maxWait after the first document for more, until the token budget is full. */
    private List<Pending> gather(Pending first) throws InterruptedException {
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        long tokens = first.document().tokenCount();
        long deadline = System.nanoTime() + maxWaitNanos;
        while (tokens < tokenBudget) {
            long left = deadline - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
            if (next == null) {
                break;
            }
            batch.add(next);
            tokens += next.document().tokenCount();
        }
        return batch;
    }

    private void encode(List<Pending> batch) {
        List<TokenizedDocument> docs = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            docs.add(p.document());
        }
        long forwardsBefore = encoder.stats().forwards();
        long tokensBefore = encoder.stats().tokens();
        long paddedBefore = encoder.stats().paddedTokens();
        long start = System.nanoTime();
        try {
            List<SparseVector> vectors = encoder.encodeTokenized(docs);
            long nanos = System.nanoTime() - start;
            batches.addAndGet(encoder.stats().forwards() - forwardsBefore);
            for (BatchListener l : listeners) {
                l.onBatch(batch.size(), encoder.stats().tokens() - tokensBefore,
                        encoder.stats().paddedTokens() - paddedBefore, nanos);
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(vectors.get(i));
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            if (batch.size() == 1) {
                batch.get(0).result().completeExceptionally(e);
                return;
            }
            LOG.warn("A batch of {} documents failed ({}); encoding them one by one", batch.size(), e.toString());
            for (Pending p : batch) {
                encode(List.of(p));
            }
        }
    }

    @Override
    public void close() {
        running = false;
        tokenizers.shutdownNow();
        device.interrupt();
        try {
            device.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException closed = new IllegalStateException("the batching encoder was closed");
        queue.clear();
        for (CompletableFuture<SparseVector> f : open) {
            f.completeExceptionally(closed);
        }
        encoder.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
