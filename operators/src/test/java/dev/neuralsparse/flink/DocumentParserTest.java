package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DocumentParserTest {
    private final DocumentParser parser = new DocumentParser(
            new DocumentFormat("id", List.of("title", "text"), "sparse_embedding", 1000));

    private static SourceRecord record(String key, byte[] value) {
        return new SourceRecord("docs", 1, 42, 0L, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void joinsTextFieldsAndTakesTheIdFromTheFieldThenUnderscoreIdThenTheKey() throws Exception {
        Document d = new DocumentParser(new DocumentFormat("id", List.of("title", "text"), "sparse_embedding", 1000))
                .parse(record("k", utf8("{\"id\": 7, \"title\": \"A title\", \"text\": \"and text\", \"x\": 1}")));
        assertThat(d.id).isEqualTo("7");
        assertThat(d.text()).isEqualTo("A title and text");
        assertThat(parser.parse(record("k", utf8("{\"_id\": \"b\", \"text\": \"t\"}"))).id).isEqualTo("b");
        assertThat(parser.parse(record("key-1", utf8("{\"text\": \"t\"}"))).id).isEqualTo("key-1");
    }

    @Test
    void theValueIsTheSourceAsItIsUnlessItHoldsUnderscoreIdOrTheVectorField() throws Exception {
        String plain = "{\"id\": 7, \"text\": \"t\",\n \"n\": 1.50}";
        Document d = parser.parse(record("k", utf8(plain)));
        assertThat(d.valueIsJson).isTrue();
        assertThat(d.json).isNull();
        assertThat(new String(d.jsonBytes(), StandardCharsets.UTF_8)).as("byte for byte, not written again").isEqualTo(plain);
        // _id names the document and must not be sent inside its source; the vector field is the job's
        for (String json : List.of("{\"_id\": \"b\", \"text\": \"t\"}", "{\"text\": \"t\", \"sparse_embedding\": {\"x\": 1}}",
                "\uFEFF{\"text\": \"t\"}")) {
            Document rewritten = parser.parse(record("k", utf8(json)));
            assertThat(rewritten.valueIsJson).as(json).isFalse();
            assertThat(new String(rewritten.json, StandardCharsets.UTF_8)).as(json).isEqualTo("{\"text\":\"t\"}");
        }
    }

    /**
     * BEIR's layout: {@code _id} first, written compactly. The member is cut from the value's bytes,
     * which are otherwise kept as they are; any other layout is written again without it. Either
     * way the index gets the same object.
     */
    @Test
    void aLeadingCompactUnderscoreIdIsCutFromTheValueAndAnyOtherLayoutIsWrittenAgain() throws Exception {
        String rest = "\"text\":\"t\",\n \"n\": 1.50}";
        assertThat(new String(parser.parse(record("k", utf8("{\"_id\":\"b\"," + rest))).json, StandardCharsets.UTF_8))
                .as("cut, the rest byte for byte").isEqualTo("{" + rest);
        assertThat(new String(parser.parse(record("k", utf8("{\"_id\":42," + rest))).json, StandardCharsets.UTF_8))
                .as("a numeric id").isEqualTo("{" + rest);
        ObjectMapper mapper = new ObjectMapper();
        for (String json : List.of("{\"_id\": \"b\", \"text\": \"t\"}", "{\"text\": \"t\", \"_id\": \"b\"}",
                "{\"_id\":\"b\",\"text\":\"t\",\"sparse_embedding\":{\"x\":1}}", "{\"_id\":\"\\u0062\",\"text\":\"t\"}",
                "{\"_id\":\"b\"  ,\"text\":\"t\"}", "{\"_id\":4.0,\"text\":\"t\"}", "{\"_id\":\"b\",\"text\":\"t\",\"_id2\":1}")) {
            Document d = parser.parse(record("k", utf8(json)));
            assertThat(d.valueIsJson).as(json).isFalse();
            ObjectNode expected = (ObjectNode) mapper.readTree(json);
            expected.remove(List.of("_id", "sparse_embedding"));
            assertThat(mapper.readTree(d.json)).as(json).isEqualTo(expected);
        }
        // Ids that need escaping, as Jackson and other writers escape them, and as they do not.
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder id = new StringBuilder();
            String chars = "ab\"\\/\u00e9\u4e2d\n\t\u0001 1";
            for (int n = 1 + random.nextInt(12); n > 0; n--) {
                id.append(chars.charAt(random.nextInt(chars.length())));
            }
            String written = mapper.writeValueAsString(id.toString());
            for (String value : List.of("{\"_id\":" + written + ",\"text\":\"t\"}",
                    "{\"_id\":" + written.replace("\u00e9", "\\u00e9").replace("/", "\\/") + ",\"text\":\"t\"}")) {
                Document d = parser.parse(record("k", utf8(value)));
                assertThat(d.id).as(value).isEqualTo(id.toString().isBlank() ? "k" : id.toString());
                assertThat(new String(d.json, StandardCharsets.UTF_8)).as(value).isEqualTo("{\"text\":\"t\"}");
            }
        }
    }

    @Test
    void anythingAfterTheObjectIsADeadLetterNotDropped() {
        assertReason(record("k", utf8("{\"text\": \"a\"} {\"text\": \"b\"}")), "not valid JSON");
        assertReason(record("k", utf8("{\"text\": \"a\"} x")), "not valid JSON");
    }

    @Test
    void aMissingTitleIsFineAndAnEmptyTextIsADocument() throws Exception {
        assertThat(parser.parse(record("k", utf8("{\"text\": \"only text\"}"))).text()).isEqualTo("only text");
        assertThat(parser.parse(record("k", utf8("{\"text\": \"\"}"))).text()).isEmpty();
    }

    @Test
    void badRecordsAreValuesWithTheirReason() {
        assertReason(record(null, null), "a tombstone (no value) without a key");
        assertReason(record("k", new byte[1001]), "1001 bytes exceeds the limit of 1000");
        assertReason(record("k", new byte[] {'{', (byte) 0xC3, '}'}), "not valid UTF-8");
        assertReason(record("k", utf8("{\"text\": ")), "not valid JSON");
        assertReason(record("k", utf8("[1, 2]")), "not a JSON object");
        assertReason(record("k", utf8("{\"id\": \"a\"}")), "no text: none of the fields [title, text]");
        assertReason(record("k", utf8("{\"id\": \"a\", \"text\": 42}")), "text field 'text' is a number");
        assertReason(record("k", utf8("{\"id\": \"a\", \"text\": {\"x\": 1}}")), "text field 'text' is a object");
        assertReason(record(null, utf8("{\"text\": \"no id anywhere\"}")), "no document id");
    }

    @Test
    void adversarialRecordsAreDeadLettersNamingTheProblem() throws Exception {
        String deep = "{\"text\": \"t\", \"n\": " + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertThatThrownBy(() -> new DocumentParser(DocumentFormat.defaults()).parse(record("k", utf8(deep))))
                .hasMessageContaining("not valid JSON").hasMessageContaining("nesting depth");
        assertReason(record("k", utf8("{\"text\": \"a\", \"text\": \"b\"}")), "Duplicate field 'text'");
        assertReason(record("k", utf8("\"just a string\"")), "not a JSON object");
        assertReason(record("k", utf8("null")), "not a JSON object");
        assertReason(record("k", utf8("{\"text\": null}")), "no text");
        assertReason(record("k", utf8("{\"text\": \"half \\ud800 a pair\"}")), "unpaired UTF-16 surrogate");
        assertReason(record("k", utf8("{\"text\": \"t\", \"\\udfff\": 1}")), "unpaired UTF-16 surrogate");
        assertReason(record("k", utf8("{\"id\": \"" + "é".repeat(300) + "\", \"text\": \"t\"}")),
                "document id of 600 UTF-8 bytes is longer than the 512 bytes OpenSearch accepts");
        // a whole pair is text; a byte-order mark is ignored, as RFC 8259 allows
        assertThat(parser.parse(record("k", utf8("{\"text\": \"\\ud83d\\ude00\"}"))).text()).isEqualTo("\uD83D\uDE00");
        assertThat(parser.parse(record("k", utf8("\uFEFF{\"text\": \"bom\"}"))).text()).isEqualTo("bom");
    }

    @Test
    void tombstonesAndDeleteMarkersAreDeletionsAndEachRecordHasAVersion() throws Exception {
        DocumentParser changes = new DocumentParser(new DocumentFormat("id", List.of("text"), "v", 1000, "deleted", null));
        Document tombstone = changes.parse(record("gone", null));
        assertThat(tombstone.deleted).isTrue();
        assertThat(tombstone.id).isEqualTo("gone");
        assertThat(tombstone.version).as("the Kafka offset").isEqualTo(42);
        Document marked = changes.parse(record("k", utf8("{\"id\": \"m\", \"deleted\": true}")));
        assertThat(marked.deleted).isTrue();
        assertThat(marked.id).isEqualTo("m");
        assertThat(changes.parse(record("k", utf8("{\"id\": \"m\", \"deleted\": \"true\"}"))).deleted).isTrue();
        Document kept = changes.parse(record("k", utf8("{\"id\": \"m\", \"deleted\": false, \"text\": \"t\"}")));
        assertThat(kept.deleted).isFalse();
        assertThat(kept.version).isEqualTo(42);

        DocumentParser versioned = new DocumentParser(new DocumentFormat("id", List.of("text"), "v", 1000, null, "lsn"));
        assertThat(versioned.parse(record("k", utf8("{\"text\": \"t\", \"lsn\": 1700000000123}"))).version)
                .isEqualTo(1700000000123L);
        assertThat(versioned.parse(record("k", utf8("{\"text\": \"t\", \"lsn\": \"99\"}"))).version).isEqualTo(99);
        assertThatThrownBy(() -> versioned.parse(record("k", utf8("{\"text\": \"t\", \"lsn\": -1}"))))
                .hasMessageContaining("version field 'lsn' is -1");
        assertThatThrownBy(() -> versioned.parse(record("k", utf8("{\"text\": \"t\"}"))))
                .hasMessageContaining("version field 'lsn' is missing");
        assertThatThrownBy(() -> versioned.parse(record("k", null))).hasMessageContaining("a tombstone carries no version");

        assertThatThrownBy(() -> DocumentParser.withoutDeletes(DocumentFormat.defaults()).parse(record("k", null)))
                .hasMessageContaining("no value");
    }

    private void assertReason(SourceRecord r, String reason) {
        assertThatThrownBy(() -> parser.parse(r)).isInstanceOf(DocumentParser.InvalidRecord.class).hasMessageContaining(reason)
                .satisfies(e -> assertThat(((DocumentParser.InvalidRecord) e).kind).matches("[a-z0-9_]+"));
    }

    @Test
    void eachReasonHasItsClass() {
        assertThatThrownBy(() -> parser.parse(record("k", utf8("{\"text\": ")))).satisfies(
                e -> assertThat(((DocumentParser.InvalidRecord) e).kind).isEqualTo("invalid_json"));
        assertThatThrownBy(() -> parser.parse(record("k", utf8("{\"id\": \"" + "x".repeat(600) + "\", \"text\": \"t\"}"))))
                .satisfies(e -> assertThat(((DocumentParser.InvalidRecord) e).kind).isEqualTo("id_too_long"));
    }
}
