package dev.neuralsparse.encoder;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The non-ASCII characters {@link BertWordPiece} tokenizes itself, and what BERT's normalizer makes
 * of each: whole Unicode blocks assigned long ago, each of whose characters the tests compare with
 * the Hugging Face tokenizer, less the ones they found it sees otherwise.
 */
final class CoveredCharacters {
    /** Inclusive code point ranges. */
    static final int[][] BLOCKS = {
        {0x0080, 0x024F}, // Latin-1 Supplement, Latin Extended-A and -B
        {0x0300, 0x036F}, // Combining Diacritical Marks
        {0x0370, 0x03FF}, // Greek and Coptic
        {0x2000, 0x206F}, // General Punctuation
        {0x2070, 0x209F}, // Superscripts and Subscripts
        {0x20A0, 0x20CF}, // Currency Symbols
        {0x2100, 0x22FF}, // Letterlike Symbols, Number Forms, Arrows, Mathematical Operators
    };
    /**
     * Code points of those blocks left to Hugging Face: the ones unassigned in Unicode 13 (Java 17).
     * Java drops them as control characters (category Cn), the Hugging Face tokenizer keeps them,
     * and a newer JVM sees some as assigned (U+20C0 SOM SIGN, Unicode 14), so they are listed here
     * rather than looked up. {@code BertWordPieceTest} found them by checking every code point of
     * the blocks; all the others agree.
     */
    static final int[][] LEFT_TO_HUGGING_FACE = {
        {0x0378, 0x0379}, {0x0380, 0x0383}, {0x038B, 0x038B}, {0x038D, 0x038D}, {0x03A2, 0x03A2}, {0x2065, 0x2065},
        {0x2072, 0x2073}, {0x208F, 0x208F}, {0x209D, 0x209F}, {0x20C0, 0x20CF}, {0x218C, 0x218F},
    };
    private static final int TABLE_SIZE = 0x2300;
    private static final char REPLACEMENT_CHARACTER = '\uFFFD';

    private CoveredCharacters() {}

    /** By code point below {@code 0x2300}: what a covered character becomes ("" when dropped); null when not covered. */
    static String[] normalizedTable(boolean lowercase, boolean stripAccents) {
        String[] table = new String[TABLE_SIZE];
        for (int[] block : BLOCKS) {
            for (int cp = block[0]; cp <= block[1]; cp++) {
                if (!leftToHuggingFace(cp)) {
                    table[cp] = normalize(cp, lowercase, stripAccents);
                }
            }
        }
        return table;
    }

    static boolean leftToHuggingFace(int cp) {
        for (int[] range : LEFT_TO_HUGGING_FACE) {
            if (cp >= range[0] && cp <= range[1]) {
                return true;
            }
        }
        return false;
    }

    /** What {@code c} becomes, or null when it is not covered. */
    static String normalized(String[] table, char c) {
        if (c < table.length) {
            return table[c];
        }
        return c == REPLACEMENT_CHARACTER ? "" : null; // clean_text drops U+FFFD
    }

    /** BertNormalizer on one character: clean_text, then strip_accents, then lowercase. */
    static String normalize(int cp, boolean lowercase, boolean stripAccents) {
        if (isControl(cp)) {
            return "";
        }
        if (Character.isSpaceChar(cp)) { // Zs, Zl, Zp: Rust's White_Space once the controls (U+0085) are gone
            return " ";
        }
        String s = Character.toString(cp);
        if (stripAccents) {
            StringBuilder kept = new StringBuilder();
            Normalizer.normalize(s, Normalizer.Form.NFD).chars()
                    .filter(ch -> Character.getType(ch) != Character.NON_SPACING_MARK)
                    .forEach(ch -> kept.append((char) ch));
            s = kept.toString();
        }
        if (lowercase) {
            StringBuilder lower = new StringBuilder();
            // Each character on its own, as Rust's char::to_lowercase: full mappings, no final sigma.
            s.chars().forEach(ch -> lower.append(Character.toString(ch).toLowerCase(Locale.ROOT)));
            s = lower.toString();
        }
        return s;
    }

    /** bert.rs {@code is_control}: categories Cc, Cf, Cn, Co (tab, newline and carriage return are whitespace). */
    private static boolean isControl(int cp) {
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** A Unicode punctuation category (Pc, Pd, Ps, Pe, Pi, Pf, Po). */
    static boolean isUnicodePunctuation(char c) {
        return switch (Character.getType(c)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                    Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }
}
