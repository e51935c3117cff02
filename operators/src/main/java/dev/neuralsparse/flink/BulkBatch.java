package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.http.HttpEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;

/**
 * One {@code _bulk} request: its newline-delimited JSON body, written in place by a JSON
 * generator, and for each item (its action line, and a source line for an index) where its bytes
 * start, its document id and the Kafka record behind it. Items answered with "try again" are
 * copied into a new batch byte for byte, never written again. Used by one thread.
 */
final class BulkBatch {
    /** For the action lines; the sources are appended as bytes ({@link #raw()}). */
    private static final JsonFactory JSON = new JsonFactory();

    private final int attempt;
    private byte[] body;
    private int length;
    private int[] starts = new int[64];
    private String[] ids = new String[64];
    private SourceRecord[] records = new SourceRecord[64];
    private int items;
    private JsonGenerator json;
    private final Bytes bytes = new Bytes();

    /**
     * @param attempt 0 for a first send, n for the n-th retry of its items
     * @param expectedBytes the body's expected size (room is made for a little more), 0 if unknown
     */
    BulkBatch(int attempt, int expectedBytes) {
        this.attempt = attempt;
        this.body = new byte[Math.max(64 << 10, expectedBytes + (expectedBytes >> 3))];
    }

    /** Starts an item; write its lines with the generator returned, then call {@link #endItem()}. */
    JsonGenerator beginItem(String id, SourceRecord record) throws IOException {
        if (json == null) {
            json = JSON.createGenerator(bytes);
            json.setRootValueSeparator(null); // the lines end with '\n', written by the emitter
        }
        json.flush();
        startItem(id, record);
        return json;
    }

    private void startItem(String id, SourceRecord record) {
        if (items == starts.length) {
            int grown = items * 2;
            starts = Arrays.copyOf(starts, grown);
            ids = Arrays.copyOf(ids, grown);
            records = Arrays.copyOf(records, grown);
        }
        starts[items] = length;
        ids[items] = id;
        records[items] = record;
    }

    /**
     * The end of the body, to append bytes to straight after what the generator wrote (flushed
     * here): for the bulk of an item, written faster without the generator's per-value work.
     */
    Bytes raw() throws IOException {
        json.flush();
        return bytes;
    }

    void endItem() throws IOException {
        json.flush();
        items++;
    }

    /** A new batch of some of these items (positions in increasing order), for their next attempt. */
    BulkBatch retry(int[] positions) {
        BulkBatch next = new BulkBatch(attempt + 1, 0);
        for (int p : positions) {
            int end = p + 1 < items ? starts[p + 1] : length;
            next.append(body, starts[p], end - starts[p], ids[p], records[p]);
        }
        return next;
    }

    private void append(byte[] bytes, int from, int count, String id, SourceRecord record) {
        startItem(id, record);
        ensure(count);
        System.arraycopy(bytes, from, body, length, count);
        length += count;
        items++;
    }

    int items() {
        return items;
    }

    int bytes() {
        return length;
    }

    int attempt() {
        return attempt;
    }

    String id(int position) {
        return ids[position];
    }

    SourceRecord record(int position) {
        return records[position];
    }

    /**
     * The body as sent; the batch must not change afterwards. An entity the async client writes
     * from the array itself: a plain {@code ByteArrayEntity} is streamed through an InputStream, a
     * channel and a 4 KB buffer, copied at least twice before the socket's own copy, 4 KB a step.
     */
    HttpEntity entity() {
        return new NByteArrayEntity(body, 0, length, ContentType.APPLICATION_JSON);
    }

    private void ensure(int more) {
        if (length + more > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, length + more));
        }
    }

    /** The end of the body: where the generator writes, and where {@link #raw()} appends. */
    final class Bytes extends OutputStream {
        @Override
        public void write(int b) {
            ensure(1);
            body[length++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, body, length, len);
            length += len;
        }

        /** Room for {@code n} more bytes in the array returned, from {@link #end()}; then {@link #end(int)}. */
        byte[] reserve(int n) {
            ensure(n);
            return body;
        }

        int end() {
            return length;
        }

        /** The body now ends at {@code end}, after bytes written into {@link #reserve}'s array. */
        void end(int end) {
            length = end;
        }

        /**
         * Line breaks written since {@code from} become spaces: a bulk source must be one line, and
         * in JSON a line break can only be whitespace between tokens (in a string it is escaped).
         */
        void spaceLineBreaks(int from) {
            for (int i = from; i < length; i++) {
                if (body[i] == '\n' || body[i] == '\r') {
                    body[i] = ' ';
                }
            }
        }
    }
}
