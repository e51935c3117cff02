package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.Vocabulary;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.http.util.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The emitter's versioned writes in the bulk body, and the dead letters' JSON. */
class SinkSideTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourceRecord SOURCE = new SourceRecord("docs", 0, 3, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));

    /** The bulk body lines the emitter writes for these documents. */
    static List<String> lines(RankFeaturesEmitter emitter, EncodedDocument... docs) throws Exception {
        BulkBatch batch = new BulkBatch(0, 0);
        for (EncodedDocument d : docs) {
            assertThat(RankFeaturesEmitter.invalid(d)).isNull();
            emitter.write(d, batch);
        }
        String body = new String(EntityUtils.toByteArray(batch.entity()), StandardCharsets.UTF_8);
        assertThat(body).as("NDJSON: every line ends with a newline").endsWith("\n");
        assertThat(batch.items()).isEqualTo(docs.length);
        return List.of(body.split("\n"));
    }

    static Document document(String id, String json, long version) {
        Document doc = new Document(id, "text", json.getBytes(StandardCharsets.UTF_8), SOURCE);
        doc.version = version;
        return doc;
    }

    @Test
    void aVersionReplacesTheWholeDocumentWithItsExternalVersion() throws Exception {
        SparseVector vector = SparseVector.of(Map.of(1000, 1.25f, 2000, 0.1f + 0.2f));
        EncodedDocument encoded = EncodedDocument.encoded(document("d1", "{\"title\":\"T\",\"n\":1}", 42), vector, null);
        List<String> lines = lines(new RankFeaturesEmitter("idx", "sparse_embedding"), encoded);
        assertThat(lines).hasSize(2);
        JsonNode action = JSON.readTree(lines.get(0)).get("index");
        assertThat(action.get("_index").asText()).isEqualTo("idx");
        assertThat(action.get("_id").asText()).isEqualTo("d1");
        assertThat(action.get("version").asLong()).isEqualTo(42);
        assertThat(action.get("version_type").asText()).isEqualTo("external_gte");
        JsonNode source = JSON.readTree(lines.get(1));
        assertThat(source.get("title").asText()).isEqualTo("T");
        assertThat(source.get("sparse_embedding").get("1000").floatValue()).isEqualTo(1.25f);
        assertThat(Float.parseFloat(source.get("sparse_embedding").get("2000").asText()))
                .as("the same float back, to the last bit").isEqualTo(0.1f + 0.2f);
        assertThat(source.size()).as("only the version's own fields and the vector").isEqualTo(3);
    }

    @Test
    void tokenKeysAreEscapedAndAnyObjectBecomesOneLine(@TempDir Path dir) throws Exception {
        Vocabulary vocabulary = vocabulary(dir.resolve("tokenizer.json"), List.of("[PAD]", "\"", "\\", "é", "rainy"));
        SparseVector vector = SparseVector.of(Map.of(1, 0.5f, 2, 0.25f, 3, 2f, 4, 1f));
        String pretty = "{\n  \"title\": \"two\\nlines\",\r\n  \"tags\": [\"a\", \"b\"]\n}\n";
        List<String> lines = lines(new RankFeaturesEmitter("idx", "v"),
                EncodedDocument.encoded(document("p", pretty, 1), vector, vocabulary),
                EncodedDocument.encoded(document("e", "{}", 2), vector, vocabulary),
                EncodedDocument.encoded(document("s", " { } ", 3), SparseVector.empty(), vocabulary));
        assertThat(lines).hasSize(6);
        JsonNode p = JSON.readTree(lines.get(1));
        assertThat(p.get("title").asText()).isEqualTo("two\nlines");
        assertThat(p.get("tags").size()).isEqualTo(2);
        assertThat(p.get("v").get("\"").floatValue()).isEqualTo(0.5f);
        assertThat(p.get("v").get("\\").floatValue()).isEqualTo(0.25f);
        assertThat(p.get("v").get("é").floatValue()).isEqualTo(2f);
        assertThat(JSON.readTree(lines.get(3)).fieldNames()).toIterable().containsExactly("v");
        assertThat(JSON.readTree(lines.get(5)).get("v").size()).isZero();
    }

    @Test
    void aValueThatIsTheSourceIsCopiedOnOneLineAndTheRecordKeepsItsBytes() throws Exception {
        byte[] value = "{\n  \"title\": \"a\\nb\",\r\n  \"n\": 1.50\n}\n".getBytes(StandardCharsets.UTF_8);
        byte[] before = value.clone();
        Document doc = new Document("v", "text", null, new SourceRecord("docs", 0, 9, 0L, null, value));
        doc.valueIsJson = true;
        List<String> lines = lines(new RankFeaturesEmitter("idx", "v"),
                EncodedDocument.encoded(doc, SparseVector.of(Map.of(5, 0.5f)), null));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).isEqualTo("{   \"title\": \"a\\nb\",    \"n\": 1.50 ,\"v\":{\"5\":0.5}}");
        assertThat(value).as("the dead letters' copy of the record").isEqualTo(before);
    }

    /** The emitter's key cache is by token id: another vocabulary's token of the same id, or ids, must not reuse it. */
    @Test
    void keysFollowEachDocumentsVocabularyAndWeightsOutsideTheUsualRangeRoundTrip(@TempDir Path dir) throws Exception {
        Vocabulary first = vocabulary(dir.resolve("a.json"), List.of("[PAD]", "rain"));
        Vocabulary second = vocabulary(dir.resolve("b.json"), List.of("[PAD]", "snow"));
        float[] odd = {1e-7f, 2.5e9f, Float.MIN_VALUE, 3.4e38f};
        RankFeaturesEmitter emitter = new RankFeaturesEmitter("idx", "v");
        List<String> lines = lines(emitter,
                EncodedDocument.encoded(document("a", "{}", 1), SparseVector.of(Map.of(1, odd[0])), first),
                EncodedDocument.encoded(document("b", "{}", 1), SparseVector.of(Map.of(1, odd[1])), second),
                EncodedDocument.encoded(document("c", "{}", 1), SparseVector.of(Map.of(1, odd[2])), null),
                EncodedDocument.encoded(document("d", "{}", 1), SparseVector.of(Map.of(1, odd[3])), first));
        assertThat(JSON.readTree(lines.get(1)).get("v").fieldNames()).toIterable().containsExactly("rain");
        assertThat(JSON.readTree(lines.get(3)).get("v").fieldNames()).toIterable().containsExactly("snow");
        assertThat(JSON.readTree(lines.get(5)).get("v").fieldNames()).toIterable().containsExactly("1");
        assertThat(JSON.readTree(lines.get(7)).get("v").fieldNames()).toIterable().containsExactly("rain");
        for (int i = 0; i < odd.length; i++) {
            JsonNode weight = JSON.readTree(lines.get(2 * i + 1)).get("v").elements().next();
            assertThat(Float.parseFloat(weight.asText())).isEqualTo(odd[i]);
        }
    }

    /** Keys of every length around the emitter's two-word copy of 16 bytes, as a first member and after others. */
    @Test
    void keysOfEveryLengthAreWrittenWhole(@TempDir Path dir) throws Exception {
        List<String> tokens = new ArrayList<>(List.of("[PAD]"));
        Map<Integer, Float> all = new HashMap<>();
        for (int id = 1; id <= 30; id++) {
            tokens.add("k".repeat(id - 1) + (char) ('a' + id % 26)); // keys of 5 to 34 bytes
            all.put(id, id / 8f);
        }
        Vocabulary vocabulary = vocabulary(dir.resolve("t.json"), tokens);
        List<EncodedDocument> docs = new ArrayList<>();
        docs.add(EncodedDocument.encoded(document("all", "{}", 1), SparseVector.of(all), vocabulary));
        for (int id = 1; id <= 30; id++) {
            docs.add(EncodedDocument.encoded(document("one", "{}", 1), SparseVector.of(Map.of(id, 1f)), vocabulary));
        }
        List<String> lines = lines(new RankFeaturesEmitter("idx", "v"), docs.toArray(EncodedDocument[]::new));
        JsonNode vector = JSON.readTree(lines.get(1)).get("v");
        assertThat(vector.size()).isEqualTo(30);
        for (int id = 1; id <= 30; id++) {
            assertThat(vector.get(tokens.get(id)).floatValue()).isEqualTo(id / 8f);
            assertThat(lines.get(2 * id + 1)).isEqualTo("{\"v\":{\"" + tokens.get(id) + "\":1.0}}");
        }
    }

    static Vocabulary vocabulary(Path file, List<String> tokens) throws Exception {
        ObjectNode tokenizer = JSON.createObjectNode();
        for (int i = 0; i < tokens.size(); i++) {
            tokenizer.with("model").with("vocab").put(tokens.get(i), i);
        }
        Files.writeString(file, tokenizer.toString());
        return Vocabulary.read(file);
    }

    @Test
    void aDeletionIsAVersionedDeleteOfOneLine() throws Exception {
        List<String> lines = lines(new RankFeaturesEmitter("idx", "sparse_embedding"),
                EncodedDocument.deletion(Document.deletion("d1", 7, SOURCE)));
        assertThat(lines).hasSize(1);
        JsonNode action = JSON.readTree(lines.get(0)).get("delete");
        assertThat(action.get("_id").asText()).isEqualTo("d1");
        assertThat(action.get("version").asLong()).isEqualTo(7);
        assertThat(action.get("version_type").asText()).isEqualTo("external_gte");
    }

    @Test
    void aWriteOpenSearchWouldRefuseBeforeRunningTheBulkIsFoundFirst() {
        SparseVector v = SparseVector.empty();
        assertThat(RankFeaturesEmitter.invalid(EncodedDocument.encoded(document("é".repeat(300), "{}", 1), v, null)))
                .contains("600 UTF-8 bytes");
        assertThat(RankFeaturesEmitter.invalid(EncodedDocument.encoded(document("d", "{}", -1), v, null))).contains("negative");
        assertThat(RankFeaturesEmitter.invalid(EncodedDocument.encoded(document("d", "[1]", 1), v, null))).contains("not a JSON object");
        assertThat(RankFeaturesEmitter.invalid(EncodedDocument.deletion(Document.deletion("d", 0, SOURCE)))).isNull();
    }

    @Test
    void aRetryCopiesTheChosenItemsByteForByte() throws Exception {
        RankFeaturesEmitter emitter = new RankFeaturesEmitter("idx", "v");
        BulkBatch batch = new BulkBatch(0, 0);
        for (int i = 0; i < 100; i++) { // past the first growth of the item arrays
            emitter.write(EncodedDocument.encoded(document("d" + i, "{\"n\":" + i + "}", i),
                    SparseVector.of(Map.of(i + 1, 1f)), null), batch);
        }
        emitter.write(EncodedDocument.deletion(Document.deletion("gone", 5, SOURCE)), batch);
        BulkBatch retry = batch.retry(new int[] {3, 99, 100});
        assertThat(retry.attempt()).isEqualTo(1);
        assertThat(retry.items()).isEqualTo(3);
        assertThat(retry.id(2)).isEqualTo("gone");
        String body = new String(EntityUtils.toByteArray(retry.entity()), StandardCharsets.UTF_8);
        assertThat(body).isEqualTo(
                "{\"index\":{\"_index\":\"idx\",\"_id\":\"d3\",\"version\":3,\"version_type\":\"external_gte\"}}\n"
                + "{\"n\":3,\"v\":{\"4\":1.0}}\n"
                + "{\"index\":{\"_index\":\"idx\",\"_id\":\"d99\",\"version\":99,\"version_type\":\"external_gte\"}}\n"
                + "{\"n\":99,\"v\":{\"100\":1.0}}\n"
                + "{\"delete\":{\"_index\":\"idx\",\"_id\":\"gone\",\"version\":5,\"version_type\":\"external_gte\"}}\n");
    }

    @Test
    void deadLetterKeepsTheOriginalValueAndCoordinates() throws Exception {
        SourceRecord source = new SourceRecord("docs", 2, 99, 1234L, "k".getBytes(StandardCharsets.UTF_8),
                "{\"text\": 4".getBytes(StandardCharsets.UTF_8));
        DeadLetterSerializer serializer = new DeadLetterSerializer("dlq");
        var record = serializer.serialize(new DeadLetter(DeadLetter.Stage.PARSE, "not valid JSON", source, null), null, null);
        assertThat(record.topic()).isEqualTo("dlq");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("k");
        JsonNode letter = JSON.readTree(record.value());
        assertThat(letter.get("reason").asText()).isEqualTo("not valid JSON");
        assertThat(letter.get("stage").asText()).isEqualTo("parse");
        assertThat(letter.get("reason_class").asText()).isEqualTo("invalid_record");
        assertThat(letter.get("value").asText()).isEqualTo("{\"text\": 4");
        assertThat(letter.has("value_truncated")).isFalse();
        assertThat(letter.at("/source/partition").asInt()).isEqualTo(2);
        assertThat(letter.at("/source/offset").asLong()).isEqualTo(99);

        SourceRecord binary = new SourceRecord("docs", 0, 1, 0L, null, new byte[] {(byte) 0xFF, 0x00});
        JsonNode b = JSON.readTree(serializer.serialize(new DeadLetter(DeadLetter.Stage.PARSE, "x", binary, null), null, null).value());
        assertThat(b.has("value")).isFalse();
        assertThat(b.get("value_base64").asText()).isEqualTo("/wA=");
    }

    @Test
    void aHugeRecordsDeadLetterIsCutToFitAndSaysSo() throws Exception {
        // 3-byte characters, so that 64 KiB falls inside one: the cut must not split it.
        byte[] huge = "€".repeat(1 << 20).getBytes(StandardCharsets.UTF_8);
        SourceRecord source = new SourceRecord("docs", 0, 5, 0L, null, huge);
        byte[] value = new DeadLetterSerializer("dlq")
                .serialize(new DeadLetter(DeadLetter.Stage.PARSE, "r".repeat(100_000), source, "d"), null, null).value();
        assertThat(value.length).isLessThan(DeadLetterSerializer.MAX_VALUE_BYTES + 20_000);
        JsonNode letter = JSON.readTree(value);
        assertThat(letter.get("value_truncated").asBoolean()).isTrue();
        assertThat(letter.get("value_bytes").asInt()).isEqualTo(huge.length);
        String kept = letter.get("value").asText();
        assertThat(kept).matches("€+");
        assertThat(kept.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(DeadLetterSerializer.MAX_VALUE_BYTES);
        assertThat(letter.get("reason").asText()).hasSizeLessThan(DeadLetterSerializer.MAX_REASON_CHARS + 20);
        assertThat(letter.at("/source/offset").asLong()).isEqualTo(5);

        byte[] binary = new byte[200_000];
        Arrays.fill(binary, (byte) 0xFF);
        JsonNode b = JSON.readTree(new DeadLetterSerializer("dlq").serialize(new DeadLetter(DeadLetter.Stage.PARSE, "x",
                new SourceRecord("docs", 0, 6, 0L, null, binary), null), null, null).value());
        assertThat(b.get("value_base64").asText()).hasSize(4 * ((DeadLetterSerializer.MAX_VALUE_BYTES + 2) / 3));
        assertThat(b.get("value_truncated").asBoolean()).isTrue();
    }
}
