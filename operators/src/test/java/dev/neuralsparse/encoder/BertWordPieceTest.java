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
 * The Java fast path gives the Hugging Face tokenizer's ids, word piece for word piece: on every
 * CACM document, every SciFact abstract and query, on text made to hit each rule (control
 * characters, punctuation, long and unknown words, added tokens), and on random ASCII; for an
 * uncased and a cased vocabulary. Non-ASCII text must not take the fast path at all.
 */
class AsciiWordPieceTest {
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
        Random random = new Random(12);
        String alphabet = "abcXYZ019 \t\n\r\u0000\u0007\u000B\u007F.,;:!?'\"()[]{}<>-_#@*&^%$~`|\\/+=";
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = random.nextInt(60); k > 0; k--) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            corpus.add(s.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"shared:tiny-distilbert", "repo:tiny-multilingual-bert"})
    void givesTheHuggingFaceTokenizersIdsOnEveryAsciiText(String model) throws Exception {
        Path folder = model.startsWith("shared:") ? SharedFixtures.model(model.substring(7))
                : RepoFixtures.folder(model.substring(5));
        AsciiWordPiece fast = AsciiWordPiece.of(folder.resolve("tokenizer.json"));
        assertThat(fast).as("BERT's pipeline is recognised").isNotNull();
        int fastPath = 0;
        try (DocumentTokenizer reference = DocumentTokenizer.load(folder)) {
            for (String text : corpus) {
                long[] ids = fast.wordPieces(text);
                boolean ascii = text.chars().allMatch(c -> c < 128);
                if (!ascii) {
                    assertThat(ids).as("non-ASCII text goes to Hugging Face: %s", text).isNull();
                    continue;
                }
                if (ids != null) {
                    fastPath++;
                    assertThat(ids).as("ids of %s", text).containsExactly(reference.huggingFaceWordPieces(text));
                }
            }
        }
        assertThat(fastPath).as("texts on the fast path").isGreaterThan(8000);
        assertThat(fast.wordPieces("[MASK] is special")).as("an added token goes to Hugging Face").isNull();
    }
}
