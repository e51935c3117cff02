package dev.neuralsparse.encoder;

import java.util.Map;

/**
 * A WordPiece vocabulary looked up by characters in place: {@code get(chars, from, to, false)} is
 * {@code vocab.get(new String(chars, from, to - from))}, and with {@code true} the same for the
 * continuation prefix followed by those characters. The greedy longest match tries several
 * candidates per word; through a {@code HashMap<String, Integer>} each was a new String, its hash
 * and the prefix concatenated, most of the Java tokenizer's time.
 *
 * <p>Open addressing, laid out for few cache misses: a slot holds an entry's full hash and where
 * the entry starts, so a candidate that is not in the vocabulary rarely reads more than its slot;
 * an entry is one run of chars (its length, continuation flag, id, then its characters).
 */
final class WordPieceTable {
    /** Per entry: length, continuation (0 or 1), id's low and high 16 bits, then the characters. */
    private static final int HEADER = 4;

    private final char[] entries;
    /** By hash slot: the hash in the high 32 bits, the entry's offset + 1 in the low; 0 for an empty slot. */
    private final long[] slots;
    private final int mask;
    /** With no continuation prefix a continuation is looked up as a first piece. */
    private final boolean noPrefix;

    private WordPieceTable(int count, int totalChars, boolean noPrefix) {
        entries = new char[count * HEADER + totalChars];
        slots = new long[Integer.highestOneBit(Math.max(count, 8) * 2) * 2];
        mask = slots.length - 1;
        this.noPrefix = noPrefix;
    }

    /**
     * Every token as a word's first piece, and every token that starts with {@code prefix} (and is
     * longer) also as a continuation of what follows the prefix.
     */
    static WordPieceTable of(Map<String, Integer> vocab, String prefix) {
        int count = 0;
        int totalChars = 0;
        for (String token : vocab.keySet()) {
            count++;
            totalChars += token.length();
            if (isContinuation(token, prefix)) {
                count++;
                totalChars += token.length() - prefix.length();
            }
        }
        WordPieceTable table = new WordPieceTable(count, totalChars, prefix.isEmpty());
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

    private int add(String token, int from, boolean continuation, int id, int at) {
        int n = token.length() - from;
        entries[at] = (char) n;
        entries[at + 1] = (char) (continuation ? 1 : 0);
        entries[at + 2] = (char) id;
        entries[at + 3] = (char) (id >>> 16);
        token.getChars(from, token.length(), entries, at + HEADER);
        int hash = hash(entries, at + HEADER, at + HEADER + n, continuation);
        int slot = slot(hash);
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = ((long) hash << 32) | (at + 1);
        return at + HEADER + n;
    }

    /** The id of {@code text[from, to)} as a first piece, or as a continuation; -1 when the vocabulary has none. */
    int get(char[] text, int from, int to, boolean continuation) {
        continuation &= !noPrefix;
        int hash = hash(text, from, to, continuation);
        for (int slot = slot(hash); slots[slot] != 0; slot = (slot + 1) & mask) {
            long s = slots[slot];
            if ((int) (s >>> 32) == hash) {
                int at = (int) s - 1;
                if (matches(text, from, to - from, continuation, at)) {
                    return entries[at + 2] | (entries[at + 3] << 16);
                }
            }
        }
        return -1;
    }

    private boolean matches(char[] text, int from, int n, boolean continuation, int at) {
        if (entries[at] != n || entries[at + 1] != (continuation ? 1 : 0)) {
            return false;
        }
        for (int i = 0, e = at + HEADER; i < n; i++, e++) {
            if (text[from + i] != entries[e]) {
                return false;
            }
        }
        return true;
    }

    private static int hash(char[] text, int from, int to, boolean continuation) {
        int h = continuation ? 0x5bd1e995 : 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + text[i];
        }
        return h;
    }

    private int slot(int hash) {
        return (hash * 0x9E3779B9 >>> 7) & mask;
    }
}
