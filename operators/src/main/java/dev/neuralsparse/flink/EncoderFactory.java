package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.DocumentEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import java.io.Serializable;

/**
 * Opens the encoder a TaskManager runs for a spec. The default opens {@link SparseEncoder}; a
 * test can wrap it to make the device fail. {@link #toString()} names the factory in the key of
 * {@link SharedEncoders}, so that two factories never share one encoder.
 */
@FunctionalInterface
public interface EncoderFactory extends Serializable {
    DocumentEncoder open(EncoderSpec spec);

    /** {@link SparseEncoder#open}. */
    static EncoderFactory sparseEncoder() {
        return Default.INSTANCE;
    }

    /** An enum, so that it stays one value through Java serialization. */
    enum Default implements EncoderFactory {
        INSTANCE;

        @Override
        public DocumentEncoder open(EncoderSpec spec) {
            return SparseEncoder.open(spec);
        }
    }
}
