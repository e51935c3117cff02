package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Java tokenizer gives the Hugging Face tokenizer's ids, word piece for word piece: on every
 * CACM document, every SciFact abstract and query, on text made to hit each rule (control
 * characters, punctuation, long and unknown words, added tokens, a text of 94,000 chars, text that
 * normalizes to more chars than it has), on random text, and on every character of the blocks it
 * covers, alone and between others; for an uncased and a cased vocabulary. Text with a character
 * it does not cover must not take the Java path at all.
 */
class BertWordPieceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<String> corpus;

    @BeforeAll
    static void readCorpora() throws Exception {
        Path shared = SharedFixtures.dir();
        corpus = new ArrayList<>();
        for (String line : Files.readAllLines(shared.resolve("data/cacm/corpus.jsonl"))) {
            JsonNode d = JSON.readTree(line);
            corpus.add(d.path("title").asText() + " " + d.path("text").asText());
        }
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                Files.newInputStream(shared.resolve("data/scifact/corpus.jsonl.gz"))), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                JsonNode d = JSON.readTree(line);
                corpus.add(d.path("title").asText() + " " + d.path("text").asText());
            }
        }
        for (String file : List.of("data/cacm/queries.jsonl", "data/scifact/queries.jsonl")) {
            for (String line : Files.readAllLines(shared.resolve(file))) {
                corpus.add(JSON.readTree(line).path("text").asText());
            }
        }
        corpus.addAll(List.of("", "   ", "\t\n\r", "a\u0000b", "a\u000Bb\u000Cc", "x\u0001y\u001Fz\u007F!", "don't stop-believing!!!",
                "e=mc^2 (1905) [ref] {x} <y> a_b ~tilde~ `code` \\back/ |pipe| @at #hash $5 %p &amp; *star* +plus",
                "##already prefixed ## #", "[MASK] is special", "[mask] is not", "[CLS][SEP][PAD][UNK]", "x".repeat(100),
                "y".repeat(101), "supercalifragilisticexpialidocious antidisestablishmentarianism", "CamelCase UPPER lower",
                "3.14159 1,000,000 2026-11-29T10:08:02Z", "qzxjv qqqq zzzzzzz", "Tab\tseparated\tvalues\nand lines\r\n"));
        corpus.addAll(List.of("Ångström café naïve résumé Ελληνικά ΣΊΣΥΦΟΣ", "α-helix β–sheet ≥5 μM ±0.2 × 10⁻³ → ∼",
                "nbsp\u00A0thin\u2009zero\u200Bwidth\u2028line\u2029para\u00ADsoft\uFFFDreplaced",
                "\u0130stanbul \u03A3\u03C3\u03C2 \u1E9E \u00DF \u0149 \u01C5 \u2126 \u212A \u212B",
                "e\u0301 a\u0308\u0304 combining\u0300 \u0345 alone", "x".repeat(99) + "é", "é".repeat(101),
                "CJK 中文 falls back", "emoji \uD83D\uDE00 falls back"));
        // Long text, and text that normalizes to more chars than it has (İ lowercases to two).
        corpus.add(String.join(" ", corpus.subList(0, 700))); // some 94,000 chars
        corpus.add("\u0130stanbul ".repeat(5_000));
        corpus.add("\u0130".repeat(3_000) + " ok");
        Random random = new Random(12);
        String alphabet = "abcXYZ019 \t\n\r\u0000\u0007\u000B\u007F.,;:!?'\"()[]{}<>-_#@*&^%$~`|\\/+=éÅß–—“”…±×µαβΣς\u00A0\u200B\u0301";
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(60); k > 0; k--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            corpus.add(s.toString());
        }
    }

    private static Path folder(String model) throws Exception {
        return model.startsWith("shared:") ? SharedFixtures.model(model.substring(7)) : RepoFixtures.folder(model.substring(5));
    }

    /** Whether every character of {@code text} is ASCII or covered. */
    private static boolean covered(String text) {
        return text.chars().allMatch(c -> c < 128 || c == 0xFFFD || (inBlocks(c) && !CoveredCharacters.leftToHuggingFace(c)));
    }

    private static boolean inBlocks(int c) {
        for (int[] block : CoveredCharacters.BLOCKS) {
            if (c >= block[0] && c <= block[1]) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared:tiny-distilbert", "repo:tiny-multilingual-bert"})
    void givesTheHuggingFaceTokenizersIdsOnEveryCoveredText(String model) throws Exception {
        Path folder = folder(model);
        BertWordPiece fast = BertWordPiece.of(folder.resolve("tokenizer.json"));
        assertThat(fast).as("BERT's pipeline is recognised").isNotNull();
        int fastPath = 0;
        int nonAscii = 0;
        try (DocumentTokenizer reference = DocumentTokenizer.load(folder)) {
            for (String text : corpus) {
                long[] ids = fast.wordPieces(text);
                if (!covered(text)) {
                    assertThat(ids).as("text with a character not covered goes to Hugging Face: %s", text).isNull();
                    continue;
                }
                if (ids != null) {
                    fastPath++;
                    nonAscii += text.chars().anyMatch(c -> c >= 128) ? 1 : 0;
                    assertThat(ids).as("ids of %s", text).containsExactly(reference.huggingFaceWordPieces(text));
                }
            }
        }
        assertThat(fastPath).as("texts on the Java path").isGreaterThan(10_000);
        assertThat(nonAscii).as("non-ASCII texts on the Java path").isGreaterThan(1_000);
        assertThat(fast.wordPieces("[MASK] is special")).as("an added token goes to Hugging Face").isNull();
    }

    /** Every covered character, alone, inside a word, doubled, after a capital, before punctuation: the same ids. */
    @ParameterizedTest
    @ValueSource(strings = {"shared:tiny-distilbert", "repo:tiny-multilingual-bert"})
    void everyCoveredCharacterOnItsOwnGivesTheSameIds(String model) throws Exception {
        Path folder = folder(model);
        BertWordPiece fast = BertWordPiece.of(folder.resolve("tokenizer.json"));
        List<String> disagreements = new ArrayList<>();
        try (DocumentTokenizer reference = DocumentTokenizer.load(folder)) {
            for (int[] block : CoveredCharacters.BLOCKS) {
                for (int cp = block[0]; cp <= block[1]; cp++) {
                    if (CoveredCharacters.leftToHuggingFace(cp)) {
                        assertThat(fast.wordPieces("a" + Character.toString(cp))).as("U+%04X is left to Hugging Face", cp).isNull();
                        continue;
                    }
                    String c = Character.toString(cp);
                    for (String text : List.of(c, "ab" + c + "cd", "X" + c + c + " y", "Ab" + c + ".", c + "e\u0301 Z")) {
                        long[] ids = fast.wordPieces(text);
                        long[] expected = reference.huggingFaceWordPieces(text);
                        if (ids == null || !java.util.Arrays.equals(ids, expected)) {
                            disagreements.add(String.format("U+%04X %s in '%s'", cp, Character.getName(cp), text));
                        }
                    }
                }
            }
            String replaced = "a\uFFFDb";
            assertThat(fast.wordPieces(replaced)).containsExactly(reference.huggingFaceWordPieces(replaced));
        }
        assertThat(disagreements).as("characters to leave to Hugging Face (CoveredCharacters.LEFT_TO_HUGGING_FACE)").isEmpty();
    }
}
