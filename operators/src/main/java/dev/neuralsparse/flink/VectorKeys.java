package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.neuralsparse.encoder.Vocabulary;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The keys of a vector's JSON members, each as the bytes {@code ,"key":} (quoted, escaped UTF-8),
 * made on first use of a token id and kept in one flat array. One array, not an object per key: a
 * document's few hundred keys are then read from a few hundred kilobytes in id order, where an
 * object and a byte array per key (some 30,000 of each) cost a cache miss or three per key, which
 * was a quarter of the time spent writing a document.
 */
final class VectorKeys {
    /** Keys up to this long are copied as two 8-byte words. */
    private static final int WORD_COPY = 16;
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final boolean byToken;
    private byte[] bytes = new byte[1 << 16];
    private int length;
    /**
     * By token id: where its key starts in {@link #bytes} (its comma) in the high half, its length
     * in the low half; 0 for none yet. One array, so that a key's place is one load, not two.
     */
    private long[] at = new long[0];
    /** By token id: the token its key was made from, when keyed by token. */
    private String[] token = new String[0];
    /**
     * The vocabulary every cached key agrees with, or null when that is not known: a record that
     * points at it needs no check per key, only this one per document.
     */
    private Vocabulary agreesWith;

    /** Keys are tokens when {@code byToken}, else token ids. */
    VectorKeys(boolean byToken) {
        this.byToken = byToken;
    }

    /**
     * Before the entries of {@code doc}: when it points at a vocabulary other than the one the
     * cached keys agree with, they are dropped, so that another vocabulary cannot write the wrong
     * keys. A sink sees one vocabulary as a rule, so this is a check per document, not per key
     * (looking each token up for the check cost as much as writing the key).
     */
    void begin(EncodedDocument doc) {
        if (byToken && doc.vocabulary != null && doc.vocabulary != agreesWith) {
            Arrays.fill(at, 0);
            Arrays.fill(token, null);
            length = 0;
            agreesWith = doc.vocabulary;
        }
    }

    /**
     * Appends the key of entry {@code i} of {@code doc} to {@code out}, with the comma before it
     * unless it is the first; {@link #begin} first. A record read from the network carries its
     * tokens as strings of its own: each is compared with the cached key's token.
     */
    void write(EncodedDocument doc, int i, BulkBatch.Bytes out) {
        int id = doc.ids[i];
        if (id >= at.length) {
            grow(id);
        }
        long place = at[id];
        if (place == 0 || (byToken && doc.vocabulary == null && !doc.tokens[i].equals(token[id]))) {
            place = add(id, byToken ? doc.token(i) : Integer.toString(id));
        }
        int skip = i == 0 ? 1 : 0;
        int from = (int) (place >>> 32) + skip;
        int n = (int) place - skip;
        if (n > WORD_COPY) {
            out.write(bytes, from, n);
            return;
        }
        // Most keys are about ten bytes: two 8-byte words cost less than an arraycopy call. The
        // words may run past the key; the body's end moves by the key's length only, so the
        // weight written next covers the rest.
        byte[] body = out.reserve(WORD_COPY);
        int end = out.end();
        WORDS.set(body, end, (long) WORDS.get(bytes, from));
        WORDS.set(body, end + 8, (long) WORDS.get(bytes, from + 8));
        out.end(end + n);
    }

    /** Bytes of keys held: grows with distinct keys only, never with the documents written. */
    int bytesHeld() {
        return length;
    }

    private long add(int id, String key) {
        byte[] quoted = JsonStringEncoder.getInstance().quoteAsUTF8(key);
        int n = quoted.length + 4;
        if (length + n + WORD_COPY > bytes.length) { // room for a word copy to read past the last key
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n + WORD_COPY));
        }
        at[id] = ((long) length << 32) | n;
        bytes[length++] = ',';
        bytes[length++] = '"';
        System.arraycopy(quoted, 0, bytes, length, quoted.length);
        length += quoted.length;
        bytes[length++] = '"';
        bytes[length++] = ':';
        if (byToken) {
            token[id] = key;
            if (agreesWith != null && (id >= agreesWith.size() || !key.equals(agreesWith.token(id)))) {
                agreesWith = null; // a record from elsewhere keyed this id otherwise
            }
        }
        return at[id];
    }

    private void grow(int id) {
        int n = Math.max(id + 1, Math.max(32_768, at.length * 2));
        at = Arrays.copyOf(at, n);
        token = byToken ? Arrays.copyOf(token, n) : token;
    }
}
