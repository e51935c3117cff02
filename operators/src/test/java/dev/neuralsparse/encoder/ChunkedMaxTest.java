package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ChunkedMaxTest {
    private static SparseEncoder truncating;
    private static SparseEncoder chunked;
    private static String longText;

    @BeforeAll
    static void open() {
        String model = SharedFixtures.model("tiny-distilbert").toString();
        truncating = SparseEncoder.open(EncoderSpec.builder().setModel(model).build());
        chunked = SparseEncoder.open(EncoderSpec.builder().setModel(model)
                .setLongDocuments(LongDocuments.chunkedMax(510, 300)).build());
        longText = GoldenParityTest.expected("tiny-distilbert").stream()
                .map(d -> d.get("text").asText())
                .filter(t -> truncating.tokenize(t).tokenCount() == 512 && chunked.tokenize(t).sequences().size() > 1)
                .findFirst().orElseThrow();
    }

    @AfterAll
    static void close() {
        truncating.close();
        chunked.close();
    }

    @Test
    void windowsCoverTheWholeTextWithTheConfiguredStride() {
        List<long[]> windows = chunked.tokenize(longText).sequences();
        int pieces;
        try (DocumentTokenizer tokenizer = DocumentTokenizer.load(SharedFixtures.model("tiny-distilbert"))) {
            pieces = tokenizer.wordPieces(longText).length;
        }
        assertThat(windows.size()).isEqualTo(1 + (int) Math.ceil((pieces - 510) / 300.0));
        for (long[] w : windows) {
            assertThat(w.length).isLessThanOrEqualTo(512);
            assertThat(w[0]).isEqualTo(101);
            assertThat(w[w.length - 1]).isEqualTo(102);
        }
    }

    @Test
    void chunkedMaxIsTheMaxOfItsWindowVectors() {
        SparseVector expected = SparseVector.empty();
        for (long[] window : chunked.tokenize(longText).sequences()) {
            expected = expected.max(truncating.encodeTokenized(List.of(new TokenizedDocument(List.of(window)))).get(0));
        }
        SparseVector got = chunked.encode(longText);
        assertThat(got.size()).isEqualTo(expected.size());
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.id(i)).isEqualTo(expected.id(i));
            assertThat(got.weight(i)).isCloseTo(expected.weight(i), org.assertj.core.data.Offset.offset(1e-5f));
        }
        // the first window is the truncated document, so chunking only adds to it
        SparseVector truncated = truncating.encode(longText);
        assertThat(got.size()).isGreaterThan(truncated.size());
        for (int i = 0; i < truncated.size(); i++) {
            assertThat(got.get(truncated.id(i))).isGreaterThanOrEqualTo(truncated.weight(i) - 1e-5f);
        }
    }

    @Test
    void aWindowCoveringTheWholeTextEqualsTruncate() {
        for (JsonNode doc : GoldenParityTest.expected("tiny-distilbert")) {
            String text = doc.get("text").asText();
            if (truncating.tokenize(text).tokenCount() < 512) {
                assertThat(chunked.tokenize(text).sequences()).hasSize(1);
                GoldenParityTest.assertMatches(doc, chunked.encode(text), chunked.vocabulary());
            }
        }
    }
}
