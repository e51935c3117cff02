package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import org.junit.jupiter.api.Test;
import org.opensearch.action.update.UpdateRequest;

/** The emitter's upserts and the dead letters' JSON. */
class SinkSideTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void emitterWritesAnUpsertWithTheVectorUnderTheDocumentsId() throws Exception {
        LinkedHashMap<String, Float> vector = new LinkedHashMap<>();
        vector.put("rainy", 1.25f);
        vector.put("york", 0.5f);
        SourceRecord source = new SourceRecord("docs", 0, 3, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));
        EncodedDocument doc = EncodedDocument.encoded(
                new Document("d1", "text", "{\"title\":\"T\",\"n\":1}", source), vector);
        UpdateRequest request = new RankFeaturesEmitter("idx", "sparse_embedding", null).upsert(doc);
        assertThat(request.index()).isEqualTo("idx");
        assertThat(request.id()).isEqualTo("d1");
        assertThat(request.docAsUpsert()).isTrue();
        JsonNode source2 = JSON.readTree(request.doc().source().utf8ToString());
        assertThat(source2.get("title").asText()).isEqualTo("T");
        assertThat(source2.get("sparse_embedding").get("rainy").floatValue()).isEqualTo(1.25f);
        assertThat(source2.get("sparse_embedding").size()).isEqualTo(2);
        assertThat(InFlightDocuments.take("idx", "d1")).isSameAs(source);
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
        assertThat(letter.get("value").asText()).isEqualTo("{\"text\": 4");
        assertThat(letter.at("/source/partition").asInt()).isEqualTo(2);
        assertThat(letter.at("/source/offset").asLong()).isEqualTo(99);

        SourceRecord binary = new SourceRecord("docs", 0, 1, 0L, null, new byte[] {(byte) 0xFF, 0x00});
        JsonNode b = JSON.readTree(serializer.serialize(new DeadLetter(DeadLetter.Stage.PARSE, "x", binary, null), null, null).value());
        assertThat(b.has("value")).isFalse();
        assertThat(b.get("value_base64").asText()).isEqualTo("/wA=");
    }
}
