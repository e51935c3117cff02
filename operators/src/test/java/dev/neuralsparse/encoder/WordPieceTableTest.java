package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The table answers exactly as the map it is built from: first pieces, continuations, longest matches. */
class WordPieceTableTest {
    private static final List<String> TOKENS = List.of("[UNK]", "un", "##aff", "##able", "a", "##a", "##", "#", "ab",
            "##ab", "é", "##é", "aff");

    private static Map<String, Integer> vocab() {
        Map<String, Integer> vocab = new HashMap<>();
        for (int i = 0; i < TOKENS.size(); i++) {
            vocab.put(TOKENS.get(i), i);
        }
        return vocab;
    }

    @Test
    void answersAsTheMapWithThePrefixOrWithout() {
        Map<String, Integer> vocab = vocab();
        for (String prefix : List.of("##", "")) {
            WordPieceTable table = WordPieceTable.of(vocab, prefix);
            Random random = new Random(3);
            String alphabet = "abfleu#é";
            for (int round = 0; round < 20_000; round++) {
                char[] text = new char[1 + random.nextInt(6)];
                for (int i = 0; i < text.length; i++) {
                    text[i] = alphabet.charAt(random.nextInt(alphabet.length()));
                }
                int from = random.nextInt(text.length);
                int to = from + 1 + random.nextInt(text.length - from);
                String piece = new String(text, from, to - from);
                assertThat(table.get(text, from, to, false)).as("'%s'", piece).isEqualTo(vocab.getOrDefault(piece, -1));
                assertThat(table.get(text, from, to, true)).as("'%s' + '%s'", prefix, piece)
                        .isEqualTo(vocab.getOrDefault(prefix + piece, -1));
                assertLongestMatch(table, vocab, prefix, text, from, to);
            }
        }
    }

    /** Ids past 16 bits (an entry keeps its id in two chars), CJK characters, tokens of 1 to 42 chars. */
    @Test
    void answersAsTheMapForALargeVocabulary() {
        Map<String, Integer> vocab = new HashMap<>();
        Random random = new Random(5);
        while (vocab.size() < 250_000) {
            char[] token = new char[1 + random.nextInt(40)];
            for (int i = 0; i < token.length; i++) {
                token[i] = (char) (random.nextInt(4) == 0 ? 0x4E00 + random.nextInt(200) : 'a' + random.nextInt(26));
            }
            String t = (random.nextInt(5) == 0 ? "##" : "") + new String(token);
            vocab.putIfAbsent(t, 70_000 + vocab.size() * 3);
        }
        WordPieceTable table = WordPieceTable.of(vocab, "##");
        vocab.forEach((token, id) -> {
            char[] chars = token.toCharArray();
            assertThat(table.get(chars, 0, chars.length, false)).as(token).isEqualTo(id);
            if (token.startsWith("##")) {
                assertThat(table.get(chars, 2, chars.length, true)).as(token).isEqualTo(id);
            }
        });
        List<String> tokens = List.copyOf(vocab.keySet());
        for (int round = 0; round < 200_000; round++) { // near misses: a token with one char changed, or cut short
            char[] chars = tokens.get(random.nextInt(tokens.size())).toCharArray();
            int to = random.nextBoolean() ? chars.length : 1 + random.nextInt(chars.length);
            chars[random.nextInt(to)] ^= 1;
            String first = new String(chars, 0, to);
            assertThat(table.get(chars, 0, to, false)).as(first).isEqualTo(vocab.getOrDefault(first, -1));
            assertThat(table.get(chars, 0, to, true)).as("##" + first).isEqualTo(vocab.getOrDefault("##" + first, -1));
            assertLongestMatch(table, vocab, "##", chars, random.nextInt(to), to);
        }
    }

    /** {@code longestMatch} against the map, tried from the longest candidate down, for both kinds of piece. */
    private static void assertLongestMatch(WordPieceTable table, Map<String, Integer> vocab, String prefix, char[] text,
            int from, int to) {
        for (boolean continuation : new boolean[] {false, true}) {
            long expected = -1;
            for (int end = to; end > from && expected < 0; end--) {
                Integer id = vocab.get((continuation ? prefix : "") + new String(text, from, end - from));
                if (id != null) {
                    expected = ((long) end << 32) | id;
                }
            }
            assertThat(table.longestMatch(text, from, to, continuation))
                    .as("longest %s'%s'", continuation ? prefix : "", new String(text, from, to - from))
                    .isEqualTo(expected);
        }
    }

    @Test
    void findsEveryTokenOfTheFixtureVocabulary() {
        Map<String, Integer> vocab = new HashMap<>();
        Vocabulary v = Vocabulary.read(SharedFixtures.model("tiny-distilbert").resolve("tokenizer.json"));
        for (int id = 0; id < v.size(); id++) {
            vocab.put(v.token(id), id);
        }
        WordPieceTable table = WordPieceTable.of(vocab, "##");
        vocab.forEach((token, id) -> {
            char[] chars = token.toCharArray();
            assertThat(table.get(chars, 0, chars.length, false)).as(token).isEqualTo(id);
            if (token.startsWith("##") && token.length() > 2) {
                assertThat(table.get(chars, 2, chars.length, true)).as(token).isEqualTo(id);
            }
        });
    }

    /** A key keeps an id in 24 bits: a vocabulary with a larger one is refused, naming the token. */
    @Test
    void refusesAnIdItCannotKeep() {
        assertThat(WordPieceTable.of(Map.of("big", (1 << 24) - 1), "##").get("big".toCharArray(), 0, 3, false))
                .isEqualTo((1 << 24) - 1);
        assertThatThrownBy(() -> WordPieceTable.of(Map.of("a", 0, "huge", 1 << 24), "##"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'huge'");
    }
}
