package dev.neuralsparse.encoder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic batching in front of one {@link DocumentEncoder} (one device): callers submit single
 * documents from any thread and get a future; tokenization runs ahead on CPU threads; one device
 * thread gathers tokenized documents until the token budget is reached or {@code maxWait} has
 * passed since the first one, encodes them in one call and completes each document's future.
 *
 * <p>Failures are completed as what they are. A batch that runs the device out of memory is split
 * in halves and retried, and the budget is lowered for the batches after it (then recovered
 * slowly); only a document that does not fit alone at the smallest budget fails, as an
 * {@link UnencodableDocumentException}. Any other forward error fails the whole batch as it is:
 * it is the machine's fault, not a document's. A future cancelled by its caller (a timeout) is
 * dropped before it reaches the device, so timed-out work does not pile up.
 */
public final class BatchingEncoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingEncoder.class);
    /** How long close() waits for the tokenizer and device threads before it leaks the model instead. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Successful batches in a row before a lowered budget grows again. */
    private static final int RECOVER_AFTER = 20;

    /** Told about every forward batch, for metrics. */
    public interface BatchListener {
        void onBatch(int documents, long tokens, long paddedTokens, long nanos);
    }

    private record Pending(TokenizedDocument document, CompletableFuture<SparseVector> result) {}

    private final DocumentEncoder encoder;
    private final AdaptiveTokenBudget budget;
    private final long maxWaitNanos;
    private final ExecutorService tokenizers;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Tokens in {@link #queue}; with those of the batch the device thread is gathering, a submitter sees when the budget is full. */
    private final AtomicLong queuedTokens = new AtomicLong();
    private volatile long gatheredTokens;
    /** Futures handed out and not completed yet: all of them are failed on close, none forgotten. */
    private final Set<CompletableFuture<SparseVector>> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong splits = new AtomicLong();
    private volatile int currentBudget;
    private final Thread device;
    private final List<BatchListener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    public BatchingEncoder(DocumentEncoder encoder, Duration maxWait, int tokenizerThreads) {
        this.encoder = encoder;
        int window = encoder.spec().longDocuments().maxLength();
        this.budget = new AdaptiveTokenBudget(encoder.spec().tokenBudget(), window, RECOVER_AFTER);
        this.currentBudget = budget.current();
        this.maxWaitNanos = maxWait.toNanos();
        this.tokenizers = Executors.newFixedThreadPool(tokenizerThreads, daemon("neural-sparse-tokenizer"));
        this.device = daemon("neural-sparse-device-" + encoder.spec().device()).newThread(this::deviceLoop);
        this.device.start();
    }

    public DocumentEncoder encoder() {
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

    /** Forward passes completed so far: the device's progress, which a stuck device stops making. */
    public long forwardPasses() {
        return encoder.stats().forwards();
    }

    /** Batches split in halves because the device ran out of memory. */
    public long splits() {
        return splits.get();
    }

    /** The token budget in force now (lower than configured after the device ran out of memory). */
    public int tokenBudget() {
        return currentBudget;
    }

    /**
     * Encodes {@code text} in some upcoming batch; never blocks the caller. Cancelling the future
     * drops the document if it has not reached the device yet.
     */
    public CompletableFuture<SparseVector> submit(String text) {
        CompletableFuture<SparseVector> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new IllegalStateException("the batching encoder is closed"));
            return result;
        }
        open.add(result);
        result.whenComplete((v, e) -> open.remove(result));
        try {
            tokenizers.execute(() -> tokenize(text, result));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the batching encoder is closed", e));
        }
        return result;
    }

    private void tokenize(String text, CompletableFuture<SparseVector> result) {
        if (result.isDone()) {
            return;
        }
        try {
            TokenizedDocument document = encoder.tokenize(text);
            queue.add(new Pending(document, result));
            if (queuedTokens.addAndGet(document.tokenCount()) + gatheredTokens >= currentBudget) {
                LockSupport.unpark(device);
            }
        } catch (UnencodableDocumentException e) {
            result.completeExceptionally(e);
        } catch (RuntimeException e) {
            result.completeExceptionally(new UnencodableDocumentException("the text cannot be tokenized (" + e + ")", e));
        }
    }

    private void deviceLoop() {
        while (running) {
            try {
                Pending first = take(queue.poll(100, TimeUnit.MILLISECONDS));
                if (first != null && !first.result().isDone()) {
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

    /**
     * Waits up to maxWait after the first document for more, until the token budget is full. It
     * sleeps until then rather than on the queue, which woke it for every document submitted: a
     * submitter wakes it when the documents queued fill the budget.
     */
    private List<Pending> gather(Pending first) throws InterruptedException {
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        long tokens = first.document().tokenCount();
        long deadline = System.nanoTime() + maxWaitNanos;
        try {
            while (tokens < budget.current()) {
                gatheredTokens = tokens; // before the poll: a document queued after it sees these too
                Pending next = take(queue.poll());
                if (next != null) {
                    if (!next.result().isDone()) {
                        batch.add(next);
                        tokens += next.document().tokenCount();
                    }
                    continue;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                // A document queued after the poll above unparks this thread if it fills the
                // budget: the permit then makes this park return at once, so no wake-up is lost.
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException("closing");
                }
            }
        } finally {
            gatheredTokens = 0;
        }
        return batch;
    }

    /** {@code pending}, taken off the queue (null for none). */
    private Pending take(Pending pending) {
        if (pending != null) {
            queuedTokens.addAndGet(-pending.document().tokenCount());
        }
        return pending;
    }

    private void encode(List<Pending> batch) {
        List<TokenizedDocument> docs = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            docs.add(p.document());
        }
        EncoderStats stats = encoder.stats();
        long forwardsBefore = stats.forwards();
        long tokensBefore = stats.tokens();
        long paddedBefore = stats.paddedTokens();
        long start = System.nanoTime();
        List<SparseVector> vectors;
        try {
            vectors = encoder.encodeTokenized(docs, budget.current());
        } catch (Throwable e) {
            onFailure(batch, e);
            return;
        }
        budget.onSuccess();
        currentBudget = budget.current();
        batches.addAndGet(stats.forwards() - forwardsBefore);
        for (BatchListener l : listeners) {
            l.onBatch(batch.size(), stats.tokens() - tokensBefore, stats.paddedTokens() - paddedBefore,
                    System.nanoTime() - start);
        }
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(vectors.get(i));
        }
    }

    private void onFailure(List<Pending> batch, Throwable error) {
        if (!DeviceFaults.isOutOfMemory(error)) {
            for (Pending p : batch) {
                p.result().completeExceptionally(error);
            }
            return;
        }
        long padded = paddedTokens(batch);
        boolean couldShrink = !budget.atMinimum();
        budget.onOutOfMemory(padded);
        currentBudget = budget.current();
        if (batch.size() > 1) {
            splits.incrementAndGet();
            LOG.warn("The device ran out of memory on {} documents ({} padded tokens); splitting the batch, token"
                    + " budget now {}", batch.size(), padded, budget.current());
            encode(batch.subList(0, batch.size() / 2));
            encode(batch.subList(batch.size() / 2, batch.size()));
        } else if (couldShrink) {
            encode(batch);
        } else {
            Pending alone = batch.get(0);
            alone.result().completeExceptionally(new UnencodableDocumentException("the document of "
                    + alone.document().tokenCount() + " tokens does not fit in device memory even alone at the smallest"
                    + " token budget (" + budget.current() + ")", error));
        }
    }

    private static long paddedTokens(List<Pending> batch) {
        long longest = 0;
        for (Pending p : batch) {
            for (long[] s : p.document().sequences()) {
                longest = Math.max(longest, s.length);
            }
        }
        return longest * batch.size();
    }

    /**
     * Stops the tokenizer and device threads and waits for them before the model and tokenizer
     * free their native memory: a tokenizer still inside native code while its memory is freed
     * crashes the JVM. Threads that do not stop in time keep their native memory: leaked on
     * purpose, with an error in the log, rather than freed under them.
     */
    @Override
    public void close() {
        running = false;
        tokenizers.shutdownNow();
        device.interrupt();
        boolean stopped = false;
        try {
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            stopped = tokenizers.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            device.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            stopped &= !device.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IllegalStateException closed = new IllegalStateException("the batching encoder was closed");
        queue.clear();
        for (CompletableFuture<SparseVector> f : open) {
            f.completeExceptionally(closed);
        }
        if (stopped) {
            encoder.close();
        } else {
            LOG.error("The tokenizer or device threads of {} did not stop within {} s; leaving the model's native memory"
                    + " allocated rather than freeing it under a running thread", encoder.spec().model(),
                    STOP_TIMEOUT.toSeconds());
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
