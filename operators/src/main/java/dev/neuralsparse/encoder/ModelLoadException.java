package dev.neuralsparse.encoder;

/**
 * A model folder that cannot be used: a missing or corrupt file, an unsupported architecture, a
 * missing tensor or one of the wrong shape. The message always names the file, tensor or option.
 */
public class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
