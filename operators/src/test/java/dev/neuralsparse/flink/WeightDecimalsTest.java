package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every weight written must parse back to the same float, bit for bit. */
class WeightDecimalsTest {
    private final byte[] buffer = new byte[WeightDecimals.MAX_LENGTH + 4];

    private String written(float f) {
        int end = WeightDecimals.write(f, buffer, 2);
        return end < 0 ? null : new String(buffer, 2, end - 2, StandardCharsets.US_ASCII);
    }

    private void assertRoundTrip(float f) {
        String s = written(f);
        if (Float.floatToRawIntBits(Float.parseFloat(s)) != Float.floatToRawIntBits(f)) {
            throw new AssertionError(f + " (bits " + Integer.toHexString(Float.floatToRawIntBits(f)) + ") was written " + s);
        }
    }

    @Test
    void writesPlainDecimalsOfNineSignificantDigitsAtMost() {
        assertThat(written(0.5f)).isEqualTo("0.5");
        assertThat(written(1f)).isEqualTo("1.0");
        assertThat(written(2.75f)).isEqualTo("2.75");
        assertThat(written(0.1f)).isEqualTo("0.100000001"); // 0.100000001490116...: nine digits, not the shortest "0.1"
        assertThat(written(1.23456792e8f)).isEqualTo("123456792.0");
        assertThat(written(999_999_936f)).isEqualTo("999999936.0");
        assertThat(written(1e-5f)).isEqualTo("0.00000999999975");
        assertThat(written(1e-5f).length()).isEqualTo(WeightDecimals.MAX_LENGTH);
        assertThat(written(0.0123f)).isEqualTo("0.0122999996"); // 0.012299999594688416...
    }

    @Test
    void leavesNumbersOutsideTheRangeOfWeightsToTheCaller() {
        for (float f : new float[] {0f, -0f, -1f, Math.nextDown(WeightDecimals.MIN), WeightDecimals.LIMIT, Float.NaN,
                Float.POSITIVE_INFINITY, Float.MIN_VALUE}) {
            assertThat(WeightDecimals.write(f, buffer, 0)).as("%s", f).isEqualTo(-1);
        }
    }

    /** All 8,388,608 floats of one binade, the powers of ten and their neighbours, and the range's ends. */
    @Test
    void everyFloatOfABinadeAndEveryPowerOfTenRoundTrips() {
        for (int bits = Float.floatToRawIntBits(0.5f); bits < Float.floatToRawIntBits(1f); bits++) {
            assertRoundTrip(Float.intBitsToFloat(bits));
        }
        for (double p = 1e-5; p < 1e9; p *= 10) {
            float f = (float) p;
            for (int i = -64; i <= 64; i++) {
                int bits = Float.floatToRawIntBits(f) + i;
                float g = Float.intBitsToFloat(bits);
                if (g >= WeightDecimals.MIN && g < WeightDecimals.LIMIT) {
                    assertRoundTrip(g);
                }
            }
        }
        assertRoundTrip(WeightDecimals.MIN);
        assertRoundTrip(Math.nextDown(WeightDecimals.LIMIT));
    }

    /** Weights in [0.1, 10) take a path of their own: byte for byte what the general one writes. */
    @Test
    void theFastPathWritesWhatTheGeneralOneDoes() {
        byte[] general = new byte[WeightDecimals.MAX_LENGTH + 4];
        SplittableRandom random = new SplittableRandom(11);
        int lo = Float.floatToRawIntBits(0.09f);
        int hi = Float.floatToRawIntBits(10.5f);
        for (int i = 0; i < 3_000_000; i++) {
            int bits = i < 1_000 ? Float.floatToRawIntBits(new float[] {0.1f, 1f, 10f, 0.5f}[i % 4]) + (i / 4) - 125
                    : random.nextInt(lo, hi);
            float f = Float.intBitsToFloat(bits);
            int end = WeightDecimals.write(f, buffer, 2);
            int expected = WeightDecimals.writeWithoutFastPath(f, general, 2);
            if (end != expected || !Arrays.equals(buffer, 2, end, general, 2, expected)) {
                throw new AssertionError(f + " was written " + written(f) + ", not "
                        + new String(general, 2, expected - 2, StandardCharsets.US_ASCII));
            }
        }
    }

    @Test
    void randomFloatsOverTheWholeRangeRoundTrip() {
        SplittableRandom random = new SplittableRandom(7);
        int lo = Float.floatToRawIntBits(WeightDecimals.MIN);
        int hi = Float.floatToRawIntBits(WeightDecimals.LIMIT);
        for (int i = 0; i < 4_000_000; i++) {
            assertRoundTrip(Float.intBitsToFloat(random.nextInt(lo, hi)));
        }
    }
}
