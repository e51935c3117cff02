package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** Documents cross the keyed shuffle through Flink's POJO serializer: no Kryo, and nothing lost. */
class DocumentSerializationTest {

    @Test
    void isAPojoWhoseTextSurvivesTheShuffle() throws Exception {
        TypeInformation<Document> type = TypeInformation.of(Document.class);
        assertThat(type).isInstanceOf(PojoTypeInfo.class);
        TypeSerializer<Document> serializer = type.createSerializer(new ExecutionConfig().getSerializerConfig());

        String text = "Ménière's disease ≥ 2 µg, α-helix \uD83D\uDE00 and plain ASCII";
        SourceRecord source = new SourceRecord("docs", 3, 42, 7L, "k".getBytes(StandardCharsets.UTF_8),
                "{\"text\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        Document doc = new Document("d1", text, null, source);
        doc.valueIsJson = true;

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(doc, out);
        Document back = serializer.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));

        assertThat(back.text()).isEqualTo(text);
        assertThat(back.id).isEqualTo("d1");
        assertThat(back.valueIsJson).isTrue();
        assertThat(back.version).isEqualTo(42);
        assertThat(back.jsonBytes()).isEqualTo(source.value);
        assertThat(Document.deletion("gone", 5, source).text()).isNull();
    }
}
