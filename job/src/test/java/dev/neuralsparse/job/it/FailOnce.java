package dev.neuralsparse.job.it;

import dev.neuralsparse.flink.Document;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;

/** Passes documents on and throws once, after {@code after} of them: the crash of a task. */
final class FailOnce implements MapFunction<Document, Document> {
    private static final long serialVersionUID = 1L;
    // Static: the MiniCluster runs in this JVM, and the restarted task must see that it already failed.
    static final AtomicBoolean FAILED = new AtomicBoolean();
    static final AtomicInteger SEEN = new AtomicInteger();

    private final int after;

    FailOnce(int after) {
        this.after = after;
    }

    static void reset() {
        FAILED.set(false);
        SEEN.set(0);
    }

    @Override
    public Document map(Document doc) {
        if (SEEN.incrementAndGet() > after && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure after " + after + " documents");
        }
        return doc;
    }
}
