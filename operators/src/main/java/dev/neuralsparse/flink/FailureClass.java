package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.UnencodableDocumentException;

/**
 * Every failure the pipeline meets is one of these, and the class alone decides what happens:
 *
 * <table>
 * <caption>fault, class, what the job does</caption>
 * <tr><th>fault</th><th>class</th><th>the job</th></tr>
 * <tr><td>bad JSON, no text, too large, an id over 512 bytes, a bad version (parse)</td>
 *     <td>INPUT</td><td>dead letter, goes on</td></tr>
 * <tr><td>the tokenizer refuses the text; a document that does not fit in device memory alone</td>
 *     <td>INPUT</td><td>dead letter, goes on</td></tr>
 * <tr><td>OpenSearch rejects the item: 4xx mapping or parse error; or it would refuse the whole
 *     bulk for the write (checked before sending)</td><td>INPUT</td><td>dead letter, goes on</td></tr>
 * <tr><td>OpenSearch answers 409 to an external version: the index already holds a newer version</td>
 *     <td>STALE</td><td>nothing to do: the newer version stays</td></tr>
 * <tr><td>any other encoder error (device, engine, native), an encoding timeout</td>
 *     <td>INFRASTRUCTURE</td><td>retried {@code --retries} times, then the task fails and
 *     restarts from the last checkpoint</td></tr>
 * <tr><td>OpenSearch 429 (busy)</td>
 *     <td>INFRASTRUCTURE</td><td>the sink sends those writes again after a back-off, then the task
 *     fails and restarts from the last checkpoint</td></tr>
 * <tr><td>OpenSearch 5xx, unreachable; Kafka errors</td>
 *     <td>INFRASTRUCTURE</td><td>the task fails and restarts from the last checkpoint</td></tr>
 * </table>
 *
 * <p>Nothing of the INFRASTRUCTURE class is ever dead-lettered: a broken GPU or cluster must stop
 * the job, not drain the stream into the dead-letter topic.
 */
public enum FailureClass {
    /** The record itself cannot be indexed: it goes to the dead letters. */
    INPUT,
    /** The write lost to a newer version of the same document: not a failure. */
    STALE,
    /** The machinery failed: fail the task, restart from the checkpoint, lose nothing. */
    INFRASTRUCTURE;

    /** The class of an encoder failure. */
    public static FailureClass ofEncoding(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof UnencodableDocumentException) {
                return INPUT;
            }
        }
        return INFRASTRUCTURE;
    }

    /** The class of an OpenSearch answer (a request's or a bulk item's) that is not a success, by its HTTP status. */
    public static FailureClass ofHttpStatus(int status) {
        if (status == 409) {
            return STALE;
        }
        if (status == 429 || status >= 500) {
            return INFRASTRUCTURE;
        }
        return INPUT;
    }
}
