package dev.neuralsparse.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Strict UTF-8, on its fast path and off it. */
class Utf8Test {

    @Test
    void decodesAsciiAndEveryOtherWellFormedText() throws Exception {
        for (String text : new String[] {"", "plain ASCII {\"text\": 1}", "Ménière ≥ 2 µg", "\uD83D\uDE00 emoji",
                "a real \uFFFD replacement character", "\u0000 NUL and \u007F DEL"}) {
            assertThat(Utf8.decode(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(text);
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
