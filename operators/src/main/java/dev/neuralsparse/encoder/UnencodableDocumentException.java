package dev.neuralsparse.encoder;

/**
 * An input fault: this document itself cannot be encoded, whatever the state of the machine (the
 * tokenizer refuses its text, or it does not fit in device memory even alone at the smallest
 * token budget). Retrying it cannot help; it belongs in the dead letters. Every other encoder
 * error is an infrastructure fault.
 */
public class UnencodableDocumentException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UnencodableDocumentException(String message, Throwable cause) {
        super(message, cause);
    }
}
