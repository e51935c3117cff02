package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.encoder.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chained, a record points at the encoder's vocabulary and no token is copied; across the network
 * its tokens travel as strings. The sink must write the same body either way.
 */
class EncodedDocumentSerializerTest {
    private static final TypeSerializer<EncodedDocument> SERIALIZER =
            TypeInformation.of(EncodedDocument.class).createSerializer(new ExecutionConfig().getSerializerConfig());

    private static EncodedDocument roundTrip(EncodedDocument record) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        SERIALIZER.serialize(record, out);
        return SERIALIZER.deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    }

    /** What the encode operator's successor gets as its type, the same as the operator declares. */
    static final class Passing extends ProcessFunction<EncodedDocument, EncodedDocument> {
        @Override
        public void processElement(EncodedDocument value, Context ctx, Collector<EncodedDocument> out) {
            out.collect(value);
        }
    }

    @Test
    void everyOperatorSeesTheTypeWithItsOwnSerializerNeverAPojoOrKryo() {
        assertThat(TypeInformation.of(EncodedDocument.class)).isInstanceOf(EncodedDocumentTypeInfo.class);
        DataStream<EncodedDocument> routed = StreamExecutionEnvironment.getExecutionEnvironment()
                .fromData(EncodedDocument.deletion(SinkSideTest.document("d", "{}", 1))).process(new Passing());
        assertThat(routed.getType()).isInstanceOf(EncodedDocumentTypeInfo.class);
        assertThat(SERIALIZER).isInstanceOf(EncodedDocumentSerializer.class);
    }

    @Test
    void tokensCrossTheNetworkAsStringsAndTheSinkWritesTheSameBody(@TempDir Path dir) throws Exception {
        Vocabulary vocabulary = SinkSideTest.vocabulary(dir.resolve("t.json"), List.of("[PAD]", "rain", "\"quoted\"", "é", "snow"));
        SparseVector vector = SparseVector.of(Map.of(1, 0.5f, 2, 1.25f, 3, 2f, 4, 0.1f + 0.2f));
        EncodedDocument chained = EncodedDocument.encoded(SinkSideTest.document("d", "{\"t\":1}", 7), vector, vocabulary);
        EncodedDocument byId = EncodedDocument.encoded(SinkSideTest.document("i", "{}", 8), vector, null);
        EncodedDocument empty = EncodedDocument.encoded(SinkSideTest.document("e", "{}", 9), SparseVector.empty(), vocabulary);

        EncodedDocument read = roundTrip(chained);
        assertThat(read.vocabulary).isNull();
        assertThat(read.tokens).containsExactly("rain", "\"quoted\"", "é", "snow");
        assertThat(read.ids).isEqualTo(chained.ids);
        assertThat(read.weights).isEqualTo(chained.weights);
        assertThat(read.document.id).isEqualTo("d");
        EncodedDocument javaSerialized = InstantiationUtil.clone(chained);
        assertThat(javaSerialized.tokens).as("Java serialization keeps the keys too").isEqualTo(read.tokens);
        assertThat(roundTrip(byId).keyedByToken()).isFalse();
        assertThat(roundTrip(empty).keyedByToken()).as("an empty vector keeps its kind of keys").isTrue();

        // One sink fed both kinds in turn, as after a rescale or a restart: same lines as chained only.
        List<EncodedDocument> chainedOnly = new ArrayList<>();
        List<EncodedDocument> mixed = new ArrayList<>();
        for (EncodedDocument e : List.of(chained, byId, empty, chained)) {
            chainedOnly.add(e);
            mixed.add(roundTrip(e));
            mixed.add(e);
            chainedOnly.add(e);
        }
        assertThat(SinkSideTest.lines(new RankFeaturesEmitter("idx", "v"), mixed.toArray(EncodedDocument[]::new)))
                .isEqualTo(SinkSideTest.lines(new RankFeaturesEmitter("idx", "v"), chainedOnly.toArray(EncodedDocument[]::new)));
    }

    @Test
    void aTokenReadFromTheNetworkThatDiffersFromTheCachedKeyIsWrittenAsItIs(@TempDir Path dir) throws Exception {
        Vocabulary rain = SinkSideTest.vocabulary(dir.resolve("a.json"), List.of("[PAD]", "rain"));
        Vocabulary snow = SinkSideTest.vocabulary(dir.resolve("b.json"), List.of("[PAD]", "snow"));
        SparseVector vector = SparseVector.of(Map.of(1, 1f));
        EncodedDocument fromRain = EncodedDocument.encoded(SinkSideTest.document("a", "{}", 1), vector, rain);
        EncodedDocument fromSnowElsewhere = roundTrip(EncodedDocument.encoded(SinkSideTest.document("b", "{}", 1), vector, snow));
        List<String> lines = SinkSideTest.lines(new RankFeaturesEmitter("idx", "v"), fromRain, fromSnowElsewhere, fromRain);
        assertThat(lines.get(1)).isEqualTo("{\"v\":{\"rain\":1.0}}");
        assertThat(lines.get(3)).isEqualTo("{\"v\":{\"snow\":1.0}}");
        assertThat(lines.get(5)).as("the vocabulary's keys again, not the last record's").isEqualTo("{\"v\":{\"rain\":1.0}}");
    }

    /** Each record read from the network has token strings of its own: equal keys must be found, not added again. */
    @Test
    void keysOfRecordsReadFromTheNetworkAreCachedOnceNotOncePerRecord(@TempDir Path dir) throws Exception {
        Vocabulary vocabulary = SinkSideTest.vocabulary(dir.resolve("t.json"), List.of("[PAD]", "rain", "snow"));
        EncodedDocument encoded = EncodedDocument.encoded(SinkSideTest.document("d", "{}", 1),
                SparseVector.of(Map.of(1, 1f, 2, 2f)), vocabulary);
        VectorKeys keys = new VectorKeys(true);
        BulkBatch batch = new BulkBatch(0, 0);
        batch.beginItem("d", null);
        int held = 0;
        for (int n = 0; n < 100; n++) {
            EncodedDocument read = roundTrip(encoded);
            keys.begin(read);
            for (int i = 0; i < read.size(); i++) {
                keys.write(read, i, batch.raw());
            }
            held = n == 0 ? keys.bytesHeld() : held;
        }
        assertThat(keys.bytesHeld()).isEqualTo(held).isEqualTo(",\"rain\":,\"snow\":".length());
    }

    @Test
    void deletionsAndFailuresSurviveAndCopiesShareNoArrays() throws Exception {
        SourceRecord source = new SourceRecord("docs", 0, 3, 0L, null, "{}".getBytes(StandardCharsets.UTF_8));
        EncodedDocument deletion = roundTrip(EncodedDocument.deletion(Document.deletion("gone", 5, source)));
        assertThat(deletion.document.deleted).isTrue();
        assertThat(deletion.size()).isZero();
        EncodedDocument failed = roundTrip(EncodedDocument.failed(SinkSideTest.document("f", "{}", 1), "too long"));
        assertThat(failed.failed()).isTrue();
        assertThat(failed.error).isEqualTo("too long");

        EncodedDocument original = EncodedDocument.encoded(SinkSideTest.document("c", "{}", 1), SparseVector.of(Map.of(3, 1f)), null);
        EncodedDocument copy = SERIALIZER.copy(original);
        assertThat(copy.ids).isEqualTo(original.ids).isNotSameAs(original.ids);
        assertThat(copy.weights).isEqualTo(original.weights).isNotSameAs(original.weights);
        assertThat(copy.document).isNotSameAs(original.document);
    }

    @Test
    void itsSnapshotRestoresAnEqualSerializerCompatibleAsItIs() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, SERIALIZER.snapshotConfiguration());
        TypeSerializerSnapshot<EncodedDocument> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()), getClass().getClassLoader());
        assertThat(read.restoreSerializer()).isEqualTo(SERIALIZER);
        assertThat(SERIALIZER.snapshotConfiguration().resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
    }
}
