package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.BatchingEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link BatchingEncoder} per model and device per JVM, shared by all the slots of a
 * TaskManager that use that device and reference-counted: the first {@link #acquire} loads the
 * model, the last {@link #release} frees it. Sharing is what lets documents of all slots fill one
 * batch; a failed task releases its reference, so a TaskManager whose tasks all failed on a broken
 * device loads the model again when they restart.
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

    public static synchronized BatchingEncoder acquire(EncoderSpec spec, EncoderFactory factory, Duration maxWait,
            int tokenizerThreads) {
        String key = spec + " " + factory;
        Entry e = ENCODERS.get(key);
        if (e == null) {
            e = new Entry(new BatchingEncoder(factory.open(spec), maxWait, tokenizerThreads));
            ENCODERS.put(key, e);
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
