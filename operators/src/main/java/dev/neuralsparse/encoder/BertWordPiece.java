package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * BERT's tokenizer ({@code BertNormalizer}, {@code BertPreTokenizer}, {@code WordPiece}) in Java,
 * for text whose characters are all in blocks it covers: the same ids as the Hugging Face
 * tokenizer, some 35 times faster. Tokenization was most of the host path's work per document.
 * For any other text {@link #wordPieces} answers null and the Hugging Face tokenizer does the work.
 *
 * <p>The covered blocks are ASCII and the old, stable ones scientific and European text is made
 * of: Latin-1 and Latin Extended-A/B, combining diacritics, Greek, general punctuation, super- and
 * subscripts, currency, letterlike symbols, arrows, mathematical operators. Every character in
 * them is checked against the Hugging Face tokenizer by the tests, one by one, so exactness never
 * rests on two implementations agreeing about Unicode tables; the only ones they disagree on, the
 * code points those blocks leave unassigned (Java drops them as controls, Hugging Face keeps them),
 * are left to Hugging Face ({@link CoveredCharacters}). CJK text, which BERT splits character by
 * character, is not covered.
 *
 * <p>The rules, as {@code tokenizers}' {@code bert.rs} has them: NUL, U+FFFD and control
 * characters (categories Cc, Cf, Cn, Co) other than tab, newline and carriage return are dropped
 * (vertical tab and form feed too: they are removed before whitespace is mapped); the other
 * whitespace becomes spaces; accents are stripped (NFD, then nonspacing marks dropped) when the
 * normalizer strips them, by default when it lowercases; then each character is lowercased on its
 * own (Rust's {@code to_lowercase}: no final sigma). Words are split at spaces, and each
 * punctuation character (ASCII punctuation, or a Unicode P* category) is a word of its own; each
 * word becomes its greedy longest-match word pieces, continuations prefixed, or the unknown token
 * as a whole when a piece is missing or the word is longer than the limit. Text holding an added
 * token ({@code [MASK]}) is left to the Hugging Face tokenizer, which matches those before
 * normalizing.
 */
final class BertWordPiece {
    private final WordPieceTable pieces;
    private final int unknown;
    private final int maxWordChars;
    /** What each ASCII character becomes after normalizing: a space for tab, newline and return, 0 when dropped. */
    private final char[] asciiNormalized;
    /** What each covered non-ASCII character becomes after normalizing ("" when dropped), by code point; null: not covered. */
    private final String[] normalized;
    /** Added tokens matched in the raw text, and those matched after normalizing ({@code normalized: true}). */
    private final List<String> addedTokens;
    private final List<String> normalizedAddedTokens;

    private BertWordPiece(Map<String, Integer> vocab, String prefix, int unknown, int maxWordChars, boolean lowercase,
            boolean stripAccents, List<String> addedTokens, List<String> normalizedAddedTokens) {
        this.pieces = WordPieceTable.of(vocab, prefix);
        this.unknown = unknown;
        this.maxWordChars = maxWordChars;
        this.asciiNormalized = asciiNormalized(lowercase);
        this.normalized = CoveredCharacters.normalizedTable(lowercase, stripAccents);
        this.addedTokens = addedTokens;
        this.normalizedAddedTokens = normalizedAddedTokens;
    }

    /**
     * The fast path for {@code tokenizer.json} if it is exactly BERT's pipeline (BertNormalizer that
     * cleans text, BertPreTokenizer, WordPiece), else null: other tokenizers always go to Hugging Face.
     */
    static BertWordPiece of(Path tokenizerJson) {
        return of(Vocabulary.readJson(tokenizerJson));
    }

    /** The same, from {@code tokenizer.json} already parsed. */
    static BertWordPiece of(JsonNode root) {
        JsonNode normalizer = root.path("normalizer");
        JsonNode model = root.path("model");
        if (!normalizer.path("type").asText().equals("BertNormalizer") || !normalizer.path("clean_text").asBoolean(false)
                || !root.path("pre_tokenizer").path("type").asText().equals("BertPreTokenizer")
                || !model.path("type").asText().equals("WordPiece")) {
            return null;
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = model.path("vocab").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        Integer unknown = vocab.get(model.path("unk_token").asText("[UNK]"));
        if (unknown == null) {
            return null;
        }
        List<String> added = new ArrayList<>();
        List<String> normalizedAdded = new ArrayList<>();
        root.path("added_tokens").forEach(t -> (t.path("normalized").asBoolean(false) ? normalizedAdded : added)
                .add(t.path("content").asText()));
        boolean lowercase = normalizer.path("lowercase").asBoolean(true);
        JsonNode strip = normalizer.path("strip_accents");
        return new BertWordPiece(vocab, model.path("continuing_subword_prefix").asText("##"), unknown,
                model.path("max_input_chars_per_word").asInt(100), lowercase, strip.isBoolean() ? strip.asBoolean() : lowercase,
                added, normalizedAdded);
    }

    /** NUL and the other control characters are dropped, tab, newline and return become spaces. */
    private static char[] asciiNormalized(boolean lowercase) {
        char[] table = new char[128];
        for (char c = 32; c < 127; c++) {
            table[c] = lowercase && c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
        }
        table['\t'] = ' ';
        table['\n'] = ' ';
        table['\r'] = ' ';
        return table;
    }

    /** The word-piece ids of {@code text}, or null when a character is not covered or the text holds an added token. */
    long[] wordPieces(String text) {
        int n = text.length();
        char[] clean = new char[n];
        int length = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 128) {
                char becomes = asciiNormalized[c];
                if (becomes != 0) {
                    clean[length++] = becomes;
                }
                continue;
            }
            String becomes = CoveredCharacters.normalized(normalized, c);
            if (becomes == null) {
                return null;
            }
            int needed = length + becomes.length() + (n - i - 1); // room for the rest, one char each at most if ASCII
            if (needed > clean.length) {
                clean = java.util.Arrays.copyOf(clean, Math.max(needed, clean.length * 2));
            }
            becomes.getChars(0, becomes.length(), clean, length);
            length += becomes.length();
        }
        for (String token : addedTokens) {
            if (text.contains(token)) {
                return null;
            }
        }
        if (!normalizedAddedTokens.isEmpty()) {
            String cleaned = new String(clean, 0, length);
            for (String token : normalizedAddedTokens) {
                if (cleaned.contains(token)) {
                    return null;
                }
            }
        }
        LongList ids = new LongList(n / 4 + 8);
        int start = -1;
        for (int i = 0; i < length; i++) {
            byte kind = kind(clean[i]);
            if (kind == WORD) {
                if (start < 0) {
                    start = i;
                }
                continue;
            }
            if (start >= 0) {
                word(clean, start, i, ids);
                start = -1;
            }
            if (kind == PUNCTUATION) {
                word(clean, i, i + 1, ids);
            }
        }
        if (start >= 0) {
            word(clean, start, length, ids);
        }
        return ids.toArray();
    }

    /** What a normalized character is to the pre-tokenizer: part of a word, a space or a word of its own. */
    private static byte kind(char c) {
        if (c < 128) {
            return ASCII_KINDS[c];
        }
        return CoveredCharacters.isUnicodePunctuation(c) ? PUNCTUATION : WORD; // whitespace is ' ' once normalized
    }

    /** Greedy longest-match word pieces of {@code chars[from, to)}; the unknown token for the whole word if one is missing. */
    private void word(char[] chars, int from, int to, LongList ids) {
        if (to - from > maxWordChars) {
            ids.add(unknown);
            return;
        }
        int mark = ids.size();
        for (int start = from; start < to; ) {
            long piece = pieces.longestMatch(chars, start, to, start != from);
            if (piece < 0) {
                ids.truncate(mark);
                ids.add(unknown);
                return;
            }
            ids.add((int) piece);
            start = (int) (piece >>> 32);
        }
    }

    private static final byte WORD = 0;
    private static final byte SPACE = 1;
    private static final byte PUNCTUATION = 2;
    /**
     * {@link #kind} of each ASCII character, looked up rather than tested: the split runs over every
     * character, and the range tests branched unpredictably on prose. Punctuation is
     * {@code is_bert_punc}'s ASCII part, Rust's {@code is_ascii_punctuation}: every printable
     * character that is not a letter, digit or space.
     */
    private static final byte[] ASCII_KINDS = new byte[128];

    static {
        ASCII_KINDS[' '] = SPACE;
        for (char c = 33; c < 127; c++) {
            if (!Character.isLetterOrDigit(c)) {
                ASCII_KINDS[c] = PUNCTUATION;
            }
        }
    }

    /** A growable list of longs, so that ids are not boxed. */
    private static final class LongList {
        private long[] values;
        private int size;

        LongList(int capacity) {
            values = new long[capacity];
        }

        void add(long v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int size() {
            return size;
        }

        void truncate(int to) {
            size = to;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
