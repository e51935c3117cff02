package dev.neuralsparse.flink;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Writes a weight as a JSON number that parses back to the very same float: nine significant
 * digits, correctly rounded, trailing zeros dropped. Nine digits always identify a float (the
 * rounding error is at most half a unit of the ninth digit, under a sixth of half the float's ulp,
 * even with the double product's own error), so no search for the shortest form is needed; the
 * result is at most a digit or two longer than the shortest one, and it is found without the
 * search and the String per weight of the Schubfach writer behind Jackson's output (hundreds of
 * weights per document). Outside the range of weights (below 1e-5, from 1e9 up) it says
 * so, and the caller writes the number the usual way.
 */
final class WeightDecimals {
    /** Longest output: "0.00000" and nine digits. */
    static final int MAX_LENGTH = 16;
    static final float MIN = 1e-5f;
    static final float LIMIT = 1e9f;

    private static final double[] POW10 = new double[23];
    /** "00" to "99" as two ASCII bytes, the first digit in the low byte (little-endian). */
    private static final char[] PAIRS = new char[100];
    private static final VarHandle EIGHT_DIGITS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private WeightDecimals() {}

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = POW10[i - 1] * 10; // exact up to 1e22
        }
        for (int i = 0; i < 100; i++) {
            PAIRS[i] = (char) (('0' + i / 10) | ('0' + i % 10) << 8);
        }
    }

    /**
     * Writes {@code f} at {@code to[at]} and returns where it ends, or -1 (nothing written) when
     * {@code f} is outside [{@link #MIN}, {@link #LIMIT}) or not a number.
     */
    static int write(float f, byte[] to, int at) {
        return write(f, to, at, true);
    }

    /** Writes {@code f} as {@link #write} does, without {@link #renderBelowTen}: the reference the tests hold it to. */
    static int writeWithoutFastPath(float f, byte[] to, int at) {
        return write(f, to, at, false);
    }

    private static int write(float f, byte[] to, int at, boolean fastPath) {
        if (!(f >= MIN && f < LIMIT)) {
            return -1;
        }
        double v = f; // exact
        // 2^e <= v < 2^(e+1), so floor(log10 v) is floor(e * log10 2) or one more.
        int e10 = (int) Math.floor(Math.getExponent(f) * 0.30102999566398120);
        // v * 10^(8 - e10) is in [1e8, 1e9], or in [1e9, 1e10) when floor(log10 v) is one more than
        // e10: rounded, the nine significant digits. The powers used are exact (10^0 to 10^14), so
        // each is one correctly rounded product.
        long m = Math.round(v * POW10[8 - e10]);
        if (m >= 1_000_000_000L) {
            e10++;
            m = Math.round(v * POW10[8 - e10]);
        }
        if (m == 1_000_000_000L) { // rounded up to the next power of ten
            m = 100_000_000L;
            e10++;
        }
        if (fastPath && (e10 == 0 || e10 == -1)) {
            return renderBelowTen((int) m, e10, to, at);
        }
        return render((int) m, e10, to, at);
    }

    /**
     * {@link #render} for weights in [0.1, 10), most of them, without its loops, whose exits
     * depend on the digits: the eight digits after the first in one store, from a table of pairs.
     * "d." then eight digits, or "0." then nine, then the trailing zeros cut (one digit after the
     * point stays).
     */
    private static int renderBelowTen(int m, int e10, byte[] to, int at) {
        int first = m / 100_000_000;
        int p = at;
        if (e10 == 0) {
            to[p++] = (byte) ('0' + first);
            to[p++] = '.';
        } else {
            to[p++] = '0';
            to[p++] = '.';
            to[p++] = (byte) ('0' + first);
        }
        int rest = m - first * 100_000_000; // eight digits
        int high = rest / 10_000;
        int low = rest - high * 10_000;
        int h1 = high / 100;
        int l1 = low / 100;
        EIGHT_DIGITS.set(to, p, (long) PAIRS[h1] | (long) PAIRS[high - h1 * 100] << 16
                | (long) PAIRS[l1] << 32 | (long) PAIRS[low - l1 * 100] << 48);
        int end = p + 8;
        while (to[end - 1] == '0' && to[end - 2] != '.') {
            end--;
        }
        return end;
    }

    /**
     * Writes m (nine digits) times 10^(e10 - 8) as a plain decimal, e10 in [-5, 8], without its
     * trailing zeros (one digit after the point stays), from right to left.
     */
    private static int render(int m, int e10, byte[] to, int at) {
        int fraction = 8 - e10; // digits after the point; for e10 < 0, leading zeros among them
        while (fraction > 1 && m % 10 == 0) {
            m /= 10;
            fraction--;
        }
        int integer = e10 >= 0 ? e10 + 1 : 1; // digits before the point; "0" for e10 < 0
        int end = at + integer + 1 + Math.max(fraction, 1);
        int p = end;
        if (fraction == 0) {
            to[--p] = '0';
        }
        // Two digits a step (the divisions are the chain that takes the time); zeros once m runs
        // out: the leading ones of a small weight.
        int i = 0;
        for (; i + 1 < fraction; i += 2) {
            int q = m / 100;
            int pair = m - q * 100;
            to[--p] = (byte) ('0' + pair % 10);
            to[--p] = (byte) ('0' + pair / 10);
            m = q;
        }
        if (i < fraction) {
            to[--p] = (byte) ('0' + m % 10);
            m /= 10;
        }
        to[--p] = '.';
        for (int j = 0; j < integer; j++) {
            to[--p] = (byte) ('0' + m % 10);
            m /= 10;
        }
        return end;
    }
}
