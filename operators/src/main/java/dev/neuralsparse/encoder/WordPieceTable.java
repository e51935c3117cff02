package dev.neuralsparse.encoder;

import java.util.Map;

/**
 * A WordPiece vocabulary looked up by characters in place: {@code get(chars, from, to, false)} is
 * {@code vocab.get(new String(chars, from, to - from))}, and with {@code true} the same for the
 * continuation prefix followed by those characters; {@link #longestMatch} is the greedy
 * longest-match step of WordPiece. Through a {@code HashMap<String, Integer>} each candidate was a
 * new String, its hash and the prefix concatenated, most of the Java tokenizer's time.
 *
 * <p>Laid out for few cache misses, since the table (1.2 MB for BERT's vocabulary) does not stay
 * in a core's cache while a job runs beside it. About half the candidates of a longest match are
 * not in the vocabulary: a bit per hash in a small filter (32 KB for BERT's) turns most of them
 * away without reading the table. Any other candidate reads its bucket, and the next only when
 * another entry took it (a cache line, seldom two): open addressing over buckets of two longs, a
 * key (the entry's hash, flags, length and id), then the entry's characters, one byte each, when
 * it has at most {@value #INLINE_CHARS} and all ASCII (most of BERT's, and nearly every frequent
 * one); else where its characters are in a second array.
 */
final class WordPieceTable {
    private static final int INLINE_CHARS = 8;
    /** The multiplicative inverse of the hash's factor 31, modulo 2^32: takes a hash back one char. */
    private static final int INVERSE_31 = 0xBDEF7BDF;
    /** A continuation's hash starts here: it lands apart from the first piece of the same chars. */
    private static final int CONTINUATION_SEED = 0x5bd1e995;
    /** A key: the entry's hash in the high 32 bits, then these flags, the inline length (bits 24-27), the id (0-23). */
    private static final long OCCUPIED = 1L << 31;
    private static final long CONTINUATION = 1L << 30;
    private static final long INLINE = 1L << 29;
    private static final int MAX_ID = (1 << 24) - 1;
    /** What {@link #packed} answers for a candidate no inline entry can be. */
    private static final long NOT_INLINE = -1;

    /** Bucket i: its key at {@code 2i}, then its packed chars, or its offset in {@link #longEntries}. */
    private final long[] buckets;
    private final int mask;
    private final int shift;
    /** The entries not inline, each its length, then its characters. */
    private final char[] longEntries;
    /** Bit {@link #filterBit} of each entry's hash is set: a clear bit proves a candidate absent. */
    private final long[] filter;
    private final int filterShift;
    /** The longest entry's length, first pieces and continuations apart: no longer candidate is tried. */
    private final int longestFirst;
    private final int longestContinuation;
    /** With no continuation prefix a continuation is looked up as a first piece. */
    private final boolean noPrefix;

    private WordPieceTable(Map<String, Integer> vocab, String prefix) {
        int count = 0;
        int longChars = 0;
        int first = 0;
        int continuation = 0;
        for (String token : vocab.keySet()) {
            count++;
            longChars += inline(token, 0) ? 0 : 1 + token.length();
            first = Math.max(first, token.length());
            if (isContinuation(token, prefix)) {
                count++;
                longChars += inline(token, prefix.length()) ? 0 : 1 + token.length() - prefix.length();
                continuation = Math.max(continuation, token.length() - prefix.length());
            }
        }
        int size = Integer.highestOneBit(Math.max(count, 8) * 8 / 5 - 1) << 1; // at most 5/8 full
        buckets = new long[2 * size];
        mask = size - 1;
        shift = 32 - Integer.numberOfTrailingZeros(size);
        longEntries = new char[longChars];
        // 4-8 bits an entry: 12-22% of the absent candidates pass.
        int filterBits = Integer.highestOneBit(Math.max(count, 8) * 8);
        filter = new long[filterBits >>> 6];
        filterShift = 32 - Integer.numberOfTrailingZeros(filterBits);
        longestFirst = first;
        longestContinuation = continuation;
        noPrefix = prefix.isEmpty();
    }

    /**
     * Every token as a word's first piece, and every token that starts with {@code prefix} (and is
     * longer) also as a continuation of what follows the prefix.
     */
    static WordPieceTable of(Map<String, Integer> vocab, String prefix) {
        WordPieceTable table = new WordPieceTable(vocab, prefix);
        int at = 0;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String token = e.getKey();
            at = table.add(token, 0, false, e.getValue(), at);
            if (isContinuation(token, prefix)) {
                at = table.add(token, prefix.length(), true, e.getValue(), at);
            }
        }
        return table;
    }

    private static boolean isContinuation(String token, String prefix) {
        return !prefix.isEmpty() && token.length() > prefix.length() && token.startsWith(prefix);
    }

    private static boolean inline(String token, int from) {
        return packed(token.toCharArray(), from, token.length()) != NOT_INLINE;
    }

    private int add(String token, int from, boolean continuation, int id, int at) {
        if (id < 0 || id > MAX_ID) {
            throw new IllegalArgumentException("token id " + id + " of '" + token + "' is outside 0.." + MAX_ID);
        }
        char[] chars = token.toCharArray();
        int n = chars.length - from;
        int hash = hash(chars, from, chars.length, continuation);
        long packed = packed(chars, from, chars.length);
        long key = ((long) hash << 32) | OCCUPIED | (continuation ? CONTINUATION : 0) | id;
        long value;
        if (packed != NOT_INLINE) {
            key |= INLINE | ((long) n << 24);
            value = packed;
        } else {
            longEntries[at] = (char) n;
            System.arraycopy(chars, from, longEntries, at + 1, n);
            value = at;
            at += 1 + n;
        }
        int bit = filterBit(hash);
        filter[bit >>> 6] |= 1L << bit;
        int bucket = bucket(hash);
        while (buckets[2 * bucket] != 0) {
            bucket = (bucket + 1) & mask;
        }
        buckets[2 * bucket] = key;
        buckets[2 * bucket + 1] = value;
        return at;
    }

    /** The id of {@code text[from, to)} as a first piece, or as a continuation; -1 when the vocabulary has none. */
    int get(char[] text, int from, int to, boolean continuation) {
        continuation &= !noPrefix;
        return find(text, from, to, continuation, hash(text, from, to, continuation));
    }

    /**
     * The longest piece of {@code text} that starts at {@code from} and ends by {@code to}, as a first
     * piece or a continuation: its end in the high 32 bits and its id in the low, or -1 when no
     * piece starts there. Each candidate's hash comes from the longer one's, one char taken back,
     * rather than hashing every candidate anew.
     */
    long longestMatch(char[] text, int from, int to, boolean continuation) {
        continuation &= !noPrefix;
        int end = Math.min(to, from + (continuation ? longestContinuation : longestFirst));
        int hash = hash(text, from, end, continuation);
        for (; end > from; end--) {
            int id = find(text, from, end, continuation, hash);
            if (id >= 0) {
                return ((long) end << 32) | id;
            }
            hash = (hash - text[end - 1]) * INVERSE_31;
        }
        return -1;
    }

    private int find(char[] text, int from, int to, boolean continuation, int hash) {
        int bit = filterBit(hash);
        if ((filter[bit >>> 6] & (1L << bit)) == 0) {
            return -1;
        }
        for (int bucket = bucket(hash); ; bucket = (bucket + 1) & mask) {
            long key = buckets[2 * bucket];
            if (key == 0) {
                return -1;
            }
            if ((int) (key >>> 32) == hash && ((key & CONTINUATION) != 0) == continuation
                    && matches(key, buckets[2 * bucket + 1], text, from, to)) {
                return (int) key & MAX_ID;
            }
        }
    }

    private boolean matches(long key, long value, char[] text, int from, int to) {
        if ((key & INLINE) != 0) {
            return ((key >>> 24) & 0xF) == to - from && value == packed(text, from, to);
        }
        int at = (int) value;
        if (longEntries[at] != to - from) {
            return false;
        }
        for (int i = from, e = at + 1; i < to; i++, e++) {
            if (text[i] != longEntries[e]) {
                return false;
            }
        }
        return true;
    }

    /** {@code text[from, to)} as up to eight ASCII bytes in a long, or {@link #NOT_INLINE}. */
    private static long packed(char[] text, int from, int to) {
        if (to - from > INLINE_CHARS) {
            return NOT_INLINE;
        }
        long packed = 0;
        for (int i = from, bits = 0; i < to; i++, bits += 8) {
            char c = text[i];
            if (c >= 128) {
                return NOT_INLINE;
            }
            packed |= (long) c << bits;
        }
        return packed;
    }

    private static int hash(char[] text, int from, int to, boolean continuation) {
        int h = continuation ? CONTINUATION_SEED : 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text[i];
        }
        return h;
    }

    private int bucket(int hash) {
        return (hash * 0x9E3779B9) >>> shift;
    }

    /** The filter's bit for a hash: the top bits of another product than the bucket's. */
    private int filterBit(int hash) {
        return (hash * 0x85EBCA6B) >>> filterShift;
    }
}
