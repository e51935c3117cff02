package dev.neuralsparse.encoder;

import java.util.Map;

/**
 * A WordPiece vocabulary looked up by characters in place: {@code get(chars, from, to, false)} is
 * {@code vocab.get(new String(chars, from, to - from))}, and with {@code true} the same for the
 * continuation prefix followed by those characters. The greedy longest match tries several
 * candidates per word; through a {@code HashMap<String, Integer>} each was a new String, its hash
 * and the prefix concatenated, most of the Java tokenizer's time. Open addressing over one array of
 * all tokens' characters.
 */
final class WordPieceTable {
    private final char[] chars;
    /** Per entry: where its characters start in {@link #chars}, their count, its id and whether it continues a word. */
    private final int[] start;
    private final int[] length;
    private final int[] id;
    private final boolean[] continues;
    /** Entry + 1 by hash slot; 0 for an empty slot. */
    private final int[] slots;
    private final int mask;
    /** With no continuation prefix a continuation is looked up as a first piece. */
    private boolean noPrefix;

    private WordPieceTable(int entries, int totalChars) {
        chars = new char[totalChars];
        start = new int[entries];
        length = new int[entries];
        id = new int[entries];
        continues = new boolean[entries];
        slots = new int[Integer.highestOneBit(Math.max(entries, 8) * 2) * 2];
        mask = slots.length - 1;
    }

    /**
     * Every token as a word's first piece, and every token that starts with {@code prefix} (and is
     * longer) also as a continuation of what follows the prefix.
     */
    static WordPieceTable of(Map<String, Integer> vocab, String prefix) {
        int entries = 0;
        int totalChars = 0;
        for (String token : vocab.keySet()) {
            entries++;
            totalChars += token.length();
            if (isContinuation(token, prefix)) {
                entries++;
                totalChars += token.length() - prefix.length();
            }
        }
        WordPieceTable table = new WordPieceTable(entries, totalChars);
        table.noPrefix = prefix.isEmpty();
        int entry = 0;
        int at = 0;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            String token = e.getKey();
            at = table.add(entry++, token, 0, false, e.getValue(), at);
            if (isContinuation(token, prefix)) {
                at = table.add(entry++, token, prefix.length(), true, e.getValue(), at);
            }
        }
        return table;
    }

    private static boolean isContinuation(String token, String prefix) {
        return !prefix.isEmpty() && token.length() > prefix.length() && token.startsWith(prefix);
    }

    private int add(int entry, String token, int from, boolean continuation, int tokenId, int at) {
        int n = token.length() - from;
        token.getChars(from, token.length(), chars, at);
        start[entry] = at;
        length[entry] = n;
        id[entry] = tokenId;
        continues[entry] = continuation;
        int slot = slot(hash(chars, at, at + n, continuation));
        while (slots[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        slots[slot] = entry + 1;
        return at + n;
    }

    /** The id of {@code text[from, to)} as a first piece, or as a continuation; -1 when the vocabulary has none. */
    int get(char[] text, int from, int to, boolean continuation) {
        continuation &= !noPrefix;
        int n = to - from;
        for (int slot = slot(hash(text, from, to, continuation)); slots[slot] != 0; slot = (slot + 1) & mask) {
            int entry = slots[slot] - 1;
            if (length[entry] == n && continues[entry] == continuation && same(text, from, start[entry], n)) {
                return id[entry];
            }
        }
        return -1;
    }

    private boolean same(char[] text, int from, int at, int n) {
        for (int i = 0; i < n; i++) {
            if (text[from + i] != chars[at + i]) {
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
