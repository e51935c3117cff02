package dev.neuralsparse.flink;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict UTF-8: bytes that are not valid UTF-8 are an error, never replaced with U+FFFD. */
public final class Utf8 {
    private Utf8() {}

    /** Decodes {@code bytes}, or throws naming where they stop being UTF-8. */
    public static String decode(byte[] bytes) throws CharacterCodingException {
        // The String constructor decodes at once (vectorized for ASCII), where the strict decoder
        // fills a CharBuffer and copies it again. It replaces what is not UTF-8 with U+FFFD rather
        // than refusing it, so its result is kept when it holds no U+FFFD: the bytes were then
        // well-formed, and the strict decoder would give the same text (Utf8Test checks every
        // three-byte sequence, alone and after F0 or F4, and a million random ones). Only text
        // holding a U+FFFD, or not UTF-8, is decoded again, strictly: to accept the one, and to say
        // where the other stops being UTF-8.
        String fast = new String(bytes, StandardCharsets.UTF_8);
        if (fast.indexOf('\uFFFD') < 0) {
            return fast;
        }
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
