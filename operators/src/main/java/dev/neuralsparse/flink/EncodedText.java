package dev.neuralsparse.flink;

import dev.neuralsparse.encoder.SparseVector;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The keyed state of one document id for skip-unchanged: a SHA-256 of the model identity and the
 * text last encoded for it, and that text's vector packed in one byte array: the number of
 * entries, the token ids as increasing gaps (varints: one or two bytes each), then the weights'
 * float bits. About {@code 32 + 5.5 * non-zero tokens} bytes. One array rather than an array of
 * ids and one of weights: the state backend then copies it in one write, where an int and a float
 * array took a call per element, in every checkpoint of the heap backend (a large part of its
 * cost) and in every update under RocksDB.
 *
 * <p>A POJO, so Flink serializes it without Kryo and evolves its schema: the state of a version
 * that kept {@code ids} and {@code weights} is restored with {@link #vector} null, which reads as
 * no vector kept, and that id's next version is encoded again.
 */
public class EncodedText {
    /** A weight's float bits, big-endian, as one store or load rather than four. */
    private static final VarHandle FLOAT_BITS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    public byte[] hash;
    public byte[] vector;

    public EncodedText() {}

    static EncodedText of(byte[] hash, SparseVector vector) {
        EncodedText t = new EncodedText();
        t.hash = hash;
        t.vector = pack(vector);
        return t;
    }

    /** The vector kept, or null when none is (the state of an earlier version). */
    SparseVector vector() {
        return vector == null ? null : unpack(vector);
    }

    static byte[] pack(SparseVector v) {
        int n = v.size();
        byte[] out = new byte[5 + 5 * n + 4 * n];
        int p = putVarint(out, 0, n);
        int previous = -1;
        for (int i = 0; i < n; i++) {
            p = putVarint(out, p, v.id(i) - previous - 1);
            previous = v.id(i);
        }
        for (int i = 0; i < n; i++, p += 4) {
            FLOAT_BITS.set(out, p, Float.floatToRawIntBits(v.weight(i)));
        }
        return Arrays.copyOf(out, p);
    }

    static SparseVector unpack(byte[] packed) {
        int[] at = {0};
        int n = varint(packed, at);
        int[] ids = new int[n];
        float[] weights = new float[n];
        int previous = -1;
        for (int i = 0; i < n; i++) {
            previous += varint(packed, at) + 1;
            ids[i] = previous;
        }
        int p = at[0];
        for (int i = 0; i < n; i++, p += 4) {
            weights[i] = Float.intBitsToFloat((int) FLOAT_BITS.get(packed, p));
        }
        return SparseVector.copyOfSorted(ids, weights);
    }

    private static int putVarint(byte[] out, int p, int value) {
        while ((value & ~0x7F) != 0) {
            out[p++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out[p++] = (byte) value;
        return p;
    }

    private static int varint(byte[] in, int[] at) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = in[at[0]++];
            value |= (b & 0x7F) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }
}
