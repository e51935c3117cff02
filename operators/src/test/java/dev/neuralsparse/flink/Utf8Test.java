package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Strict UTF-8, on its fast path and off it, and the fast path held to the strict decoder. */
class Utf8Test {

    @Test
    void decodesAsciiAndEveryOtherWellFormedText() throws Exception {
        for (String text : new String[] {"", "plain ASCII {\"text\": 1}", "Ménière ≥ 2 µg", "\uD83D\uDE00 emoji",
                "a real \uFFFD replacement character", "\u0000 NUL and \u007F DEL"}) {
            assertThat(Utf8.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
        }
    }

    /**
     * The fast path keeps the String constructor's text when it holds no U+FFFD: that is sound
     * only if such bytes are always well-formed and decode strictly to the same text. Checked on
     * every sequence of three bytes, alone and after the lead bytes F0 and F4 (the edges of four-
     * byte characters), and on random sequences weighted to UTF-8's edge bytes.
     */
    @Test
    void whatTheFastPathKeepsIsWhatTheStrictDecoderGives() throws Exception {
        byte[] three = new byte[3];
        byte[] four = new byte[4];
        for (int v = 0; v < 1 << 24; v++) {
            three[0] = (byte) (v >>> 16);
            three[1] = (byte) (v >>> 8);
            three[2] = (byte) v;
            assertKeptOnlyWhenStrict(three);
            for (byte lead : new byte[] {(byte) 0xF0, (byte) 0xF4}) {
                four[0] = lead;
                System.arraycopy(three, 0, four, 1, 3);
                assertKeptOnlyWhenStrict(four);
            }
        }
        byte[] edges = {0x00, 0x7F, (byte) 0x80, (byte) 0x8F, (byte) 0x90, (byte) 0x9F, (byte) 0xA0, (byte) 0xBF,
            (byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0, (byte) 0xED, (byte) 0xEF, (byte) 0xF0,
            (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, 'a'};
        Random random = new Random(7);
        for (int round = 0; round < 1_000_000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(7)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextBoolean() ? edges[random.nextInt(edges.length)] : (byte) random.nextInt(256);
            }
            assertKeptOnlyWhenStrict(bytes);
        }
    }

    private static void assertKeptOnlyWhenStrict(byte[] bytes) throws CharacterCodingException {
        String fast = new String(bytes, StandardCharsets.UTF_8);
        if (fast.indexOf('\uFFFD') < 0) {
            String strict = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
            if (!strict.equals(fast)) {
                throw new AssertionError("the fast path keeps a text the strict decoder does not give: "
                        + HexFormat.of().formatHex(bytes));
            }
        }
    }

    @Test
    void refusesWhatIsNotUtf8EvenWhenItDecodesToOneCharPerByte() {
        byte[][] bad = {
            {'a', (byte) 0xFF, 'b'}, // as many chars as bytes once replaced: only the U+FFFD tells
            {(byte) 0x80},
            {'x', (byte) 0xE2, (byte) 0x82}, // truncated
            {(byte) 0xC0, (byte) 0x80}, // overlong NUL
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate encoded
        };
        for (byte[] bytes : bad) {
            assertThatThrownBy(() -> Utf8.decode(bytes)).isInstanceOf(CharacterCodingException.class);
        }
    }
}
