package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.opensearch.action.delete.DeleteRequest;
import org.opensearch.action.index.IndexRequest;
import org.opensearch.index.VersionType;

/** The emitter's versioned writes and the dead letters' JSON. */
class SinkSideTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SourceRecord SOURCE = new SourceRecord("docs", 0, 3, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));

    @Test
    void aVersionReplacesTheWholeDocumentWithItsExternalVersion() throws Exception {
        LinkedHashMap<String, Float> vector = new LinkedHashMap<>();
        vector.put("rainy", 1.25f);
        vector.put("york", 0.5f);
        Document doc = new Document("d1", "text", "{\"title\":\"T\",\"n\":1}", SOURCE);
        doc.version = 42;
        IndexRequest request = (IndexRequest) new RankFeaturesEmitter("idx", "sparse_embedding", null, null)
                .request(EncodedDocument.encoded(doc, vector));
        assertThat(request.index()).isEqualTo("idx");
        assertThat(request.id()).isEqualTo("d1");
        assertThat(request.versionType()).isEqualTo(VersionType.EXTERNAL_GTE);
        assertThat(request.version()).isEqualTo(42);
        JsonNode source = JSON.readTree(request.source().utf8ToString());
        assertThat(source.get("title").asText()).isEqualTo("T");
        assertThat(source.get("sparse_embedding").get("rainy").floatValue()).isEqualTo(1.25f);
        assertThat(source.get("sparse_embedding").size()).isEqualTo(2);
        assertThat(source.size()).as("only the version's own fields and the vector").isEqualTo(3);
        assertThat(request.validate()).isNull();
    }

    @Test
    void aDeletionIsAVersionedDelete() {
        DeleteRequest request = (DeleteRequest) new RankFeaturesEmitter("idx", "sparse_embedding", null, null)
                .request(EncodedDocument.deletion(Document.deletion("d1", 7, SOURCE)));
        assertThat(request.id()).isEqualTo("d1");
        assertThat(request.versionType()).isEqualTo(VersionType.EXTERNAL_GTE);
        assertThat(request.version()).isEqualTo(7);
    }

    @Test
    void theClientsOwnValidationRefusesAnIdOver512BytesBeforeAnyBulk() {
        Document doc = new Document("é".repeat(300), "text", "{}", SOURCE);
        IndexRequest request = (IndexRequest) new RankFeaturesEmitter("idx", "f", null, null)
                .request(EncodedDocument.encoded(doc, new LinkedHashMap<>()));
        assertThat(request.validate()).isNotNull();
        assertThat(request.validate().getMessage()).contains("too long");
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
