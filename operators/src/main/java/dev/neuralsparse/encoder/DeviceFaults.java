package dev.neuralsparse.encoder;

import java.util.Locale;

/** Recognizes the device running out of memory among the errors a forward pass can throw. */
public final class DeviceFaults {
    /** What libtorch says when an allocation fails: CUDA's caching allocator, the CPU allocator. */
    private static final String[] OUT_OF_MEMORY = {
        "out of memory", "can't allocate memory", "failed to allocate", "not enough memory"
    };

    private DeviceFaults() {}

    /**
     * True for an allocation failure anywhere in the cause chain: a CUDA or CPU allocator error
     * from the engine, or the JVM's own heap or direct memory. Such a failure depends on how many
     * tokens were in the batch, not on any one document.
     */
    public static boolean isOutOfMemory(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
            String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            for (String sign : OUT_OF_MEMORY) {
                if (message.contains(sign)) {
                    return true;
                }
            }
        }
        return false;
    }
}
