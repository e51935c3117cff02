package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.neuralsparse.encoder.SparseVector;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** The keyed state of skip-unchanged: the vector packed and back, bit for bit, through Flink's own serializer. */
class EncodedTextTest {
    @Test
    void aPackedVectorComesBackTheSameThroughTheStateSerializer() throws Exception {
        TypeSerializer<EncodedText> serializer = TypeInformation.of(EncodedText.class)
                .createSerializer(new ExecutionConfig().getSerializerConfig());
        assertThat(serializer).as("a POJO, no Kryo").isInstanceOf(PojoSerializer.class);
        Random random = new Random(5);
        for (int round = 0; round < 200; round++) {
            Map<Integer, Float> byId = new TreeMap<>();
            int n = round == 0 ? 0 : 1 + random.nextInt(round < 100 ? 20 : 3000);
            while (byId.size() < n) {
                // the vocabulary's ends, gaps of every varint length, weights of any bits
                int id = switch (random.nextInt(4)) {
                    case 0 -> random.nextBoolean() ? 0 : 250_000;
                    case 1 -> random.nextInt(130);
                    default -> random.nextInt(250_001);
                };
                byId.put(id, Float.intBitsToFloat(1 + random.nextInt(0x7F7FFFFF)));
            }
            SparseVector vector = SparseVector.of(byId);
            byte[] hash = new byte[32];
            random.nextBytes(hash);
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(EncodedText.of(hash, vector), out);
            EncodedText back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(back.hash).isEqualTo(hash);
            assertThat(back.vector()).as("%d entries", n).isEqualTo(vector);
        }
    }

    @Test
    void theLayoutIsTheOneStateWasWrittenWith() {
        // Count, id gaps as varints (0, then 129 in two bytes), then big-endian float bits: state
        // kept by an earlier build must read back the same.
        SparseVector vector = SparseVector.of(Map.of(0, 1.0f, 130, 2.0f));
        byte[] expected = {2, 0, (byte) 0x81, 1, 0x3F, (byte) 0x80, 0, 0, 0x40, 0, 0, 0};
        assertThat(EncodedText.pack(vector)).isEqualTo(expected);
        assertThat(EncodedText.unpack(expected)).isEqualTo(vector);
    }

    @Test
    void theStateOfAnEarlierVersionHoldsNoVector() {
        EncodedText restored = new EncodedText(); // its ids and weights fields dropped by the POJO evolution
        restored.hash = new byte[32];
        assertThat(restored.vector()).isNull();
    }
}
