package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.BatchingEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link BatchingEncoder} per model and device per JVM, shared by all the slots of a
 * TaskManager and reference-counted: the first {@link #acquire} loads the model, the last
 * {@link #release} frees it. Sharing is what lets documents of all slots fill one batch.
 */
public final class SharedEncoders {
    private static final Map<String, Entry> ENCODERS = new HashMap<>();

    private static final class Entry {
        final BatchingEncoder encoder;
        int references;

        Entry(BatchingEncoder encoder) {
            this.encoder = encoder;
        }
    }

    private SharedEncoders() {}

    public static synchronized BatchingEncoder acquire(EncoderSpec spec, Duration maxWait, int tokenizerThreads) {
        Entry e = ENCODERS.get(spec.toString());
        if (e == null) {
            e = new Entry(new BatchingEncoder(SparseEncoder.open(spec), maxWait, tokenizerThreads));
            ENCODERS.put(spec.toString(), e);
        }
        e.references++;
        return e.encoder;
    }

    public static synchronized void release(BatchingEncoder encoder) {
        ENCODERS.entrySet().removeIf(entry -> {
            if (entry.getValue().encoder != encoder || --entry.getValue().references > 0) {
                return false;
            }
            entry.getValue().encoder.close();
            return true;
        });
    }
}
