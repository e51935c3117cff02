package dev.neuralsparse.job.stack;

/** The local stack could not be brought up or down; the message says what and where to look. */
public class StackException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StackException(String message) {
        super(message);
    }

    public StackException(String message, Throwable cause) {
        super(message, cause);
    }
}
