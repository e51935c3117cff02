package dev.neuralsparse.flink;

/**
 * A cluster (Kafka or OpenSearch) that cannot be used as configured: authentication failed, its
 * certificate is not trusted, access is denied, or it did not answer in time. The message says which,
 * against which address, and which option to look at, and never holds a secret; commands print it
 * as one line, since a stack trace adds nothing to it.
 */
public class ClusterAccessException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public ClusterAccessException(String message, Throwable cause) {
        super(message, cause);
    }
}
