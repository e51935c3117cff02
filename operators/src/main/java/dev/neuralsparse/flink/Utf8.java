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
        // Most records are ASCII, which the String constructor copies at once (its ASCII check is
        // vectorized), where the strict decoder fills a CharBuffer and copies it again. It replaces
        // what is not UTF-8 rather than refusing it, so its result is kept only when it proves the
        // bytes were ASCII: as many chars as bytes and no U+FFFD. A byte that is not UTF-8 becomes
        // U+FFFD, and any other non-ASCII character takes two bytes or more.
        String fast = new String(bytes, StandardCharsets.UTF_8);
        if (fast.length() == bytes.length && fast.indexOf('\uFFFD') < 0) {
            return fast;
        }
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
