package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
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
        assertThat(d.text).isEqualTo("A title and text");
        assertThat(d.json).contains("\"x\":1");
        assertThat(parser.parse(record("k", utf8("{\"_id\": \"b\", \"text\": \"t\"}"))).id).isEqualTo("b");
        assertThat(parser.parse(record("key-1", utf8("{\"text\": \"t\"}"))).id).isEqualTo("key-1");
        // _id names the document and must not be sent inside its source
        assertThat(parser.parse(record(null, utf8("{\"_id\": \"b\", \"text\": \"t\"}"))).json).doesNotContain("_id");
    }

    @Test
    void aMissingTitleIsFineAndAnEmptyTextIsADocument() throws Exception {
        assertThat(parser.parse(record("k", utf8("{\"text\": \"only text\"}"))).text).isEqualTo("only text");
        assertThat(parser.parse(record("k", utf8("{\"text\": \"\"}"))).text).isEmpty();
    }

    @Test
    void badRecordsAreValuesWithTheirReason() {
        assertReason(record("k", null), "no value");
        assertReason(record("k", new byte[1001]), "1001 bytes exceeds the limit of 1000");
        assertReason(record("k", new byte[] {'{', (byte) 0xC3, '}'}), "not valid UTF-8");
        assertReason(record("k", utf8("{\"text\": ")), "not valid JSON");
        assertReason(record("k", utf8("[1, 2]")), "not a JSON object");
        assertReason(record("k", utf8("{\"id\": \"a\"}")), "no text: none of the fields [title, text]");
        assertReason(record("k", utf8("{\"id\": \"a\", \"text\": 42}")), "text field 'text' is a number");
        assertReason(record("k", utf8("{\"id\": \"a\", \"text\": {\"x\": 1}}")), "text field 'text' is a object");
        assertReason(record(null, utf8("{\"text\": \"no id anywhere\"}")), "no document id");
    }

    private void assertReason(SourceRecord r, String reason) {
        assertThatThrownBy(() -> parser.parse(r)).isInstanceOf(DocumentParser.InvalidRecord.class).hasMessageContaining(reason);
    }
}
