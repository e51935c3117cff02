package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Nothing assumes bert-base-uncased: a multilingual-shaped BERT (a cased vocabulary of 264 word
 * pieces, special tokens at ids 0-4, its own tokenizer.json and idf.json), generated with its
 * expected vectors by an independent reference (operators/src/test/python/make_tiny_multilingual.py:
 * a WordPiece tokenizer in Python and the plain-PyTorch forward pass), matched at 1e-4.
 */
class MultilingualFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path folder() throws Exception {
        return RepoFixtures.folder("tiny-multilingual-bert");
    }

    private static List<JsonNode> expected() throws Exception {
        return RepoFixtures.expected("tiny-multilingual-bert");
    }

    @Test
    void tokensAndVectorsMatchTheReferenceWithAnotherVocabularyCaseAndSpecialIds() throws Exception {
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(folder().toString()).build())) {
            assertThat(encoder.vocabulary().size()).isEqualTo(264);
            assertThat(encoder.vocabulary().specialIds()).containsExactlyInAnyOrder(0, 1, 2, 3, 4);
            List<String> texts = new ArrayList<>();
            for (JsonNode doc : expected()) {
                texts.add(doc.get("text").asText());
                assertThat(encoder.tokenize(doc.get("text").asText()).sequences().get(0)).as("ids of %s", doc.get("text"))
                        .containsExactly(SharedFixtures.longs(doc.get("input_ids")));
            }
            List<SparseVector> batched = encoder.encode(texts); // one batch, padded: the same vectors
            for (int i = 0; i < texts.size(); i++) {
                GoldenParityTest.assertMatches(expected().get(i), batched.get(i), encoder.vocabulary());
            }
            // cased: three spellings, three tokens
            SparseVector berlin = encoder.encode("Berlin berlin BERLIN");
            assertThat(encoder.tokenize("Berlin berlin BERLIN").sequences().get(0)).hasSize(5);
            assertThat(berlin.size()).isPositive();
        }
    }

    @Test
    void queryVectorsUseTheFoldersIdfAndSpecialTokens() throws Exception {
        try (QueryEncoder queries = QueryEncoder.open(folder(), 1.0f)) {
            SparseVector v = queries.encode("Москва [MASK] Berlin", IdfTable.read(folder().resolve("idf.json")));
            for (int i = 0; i < v.size(); i++) {
                assertThat(v.id(i)).as("no special token in a query vector").isGreaterThan(4);
            }
            assertThat(v.size()).isPositive();
        }
    }
}
