package dev.neuralsparse.encoder;

import java.io.Serializable;
import java.util.Locale;

/**
 * What to do with a document longer than the model's 512 positions: {@code truncate} (the model
 * card's behaviour: only the first 510 word pieces count) or {@code chunked-max} (windows of at
 * most {@code window} word pieces, each starting {@code stride} pieces after the previous one,
 * each encoded, and the vectors max-pooled so that the whole document is represented).
 */
public record LongDocuments(Mode mode, int windowPieces, int stride) implements Serializable {
    /** [CLS] and [SEP] take two of the model's positions. */
    public static final int MAX_WINDOW_PIECES = 510;

    public enum Mode {
        TRUNCATE,
        CHUNKED_MAX
    }

    public LongDocuments {
        if (windowPieces < 1 || windowPieces > MAX_WINDOW_PIECES) {
            throw new IllegalArgumentException(
                    "window must be between 1 and " + MAX_WINDOW_PIECES + " word pieces, got " + windowPieces);
        }
        if (stride < 1 || stride > windowPieces) {
            throw new IllegalArgumentException(
                    "stride must be between 1 and the window (" + windowPieces + "), got " + stride
                            + ": a larger stride would skip text");
        }
    }

    public static LongDocuments truncate() {
        return new LongDocuments(Mode.TRUNCATE, MAX_WINDOW_PIECES, MAX_WINDOW_PIECES);
    }

    /** Windows of 510 pieces overlapping by 128, so no piece is only ever seen at a window edge. */
    public static LongDocuments chunkedMax() {
        return chunkedMax(MAX_WINDOW_PIECES, 382);
    }

    public static LongDocuments chunkedMax(int windowPieces, int stride) {
        return new LongDocuments(Mode.CHUNKED_MAX, windowPieces, stride);
    }

    /** Parses {@code truncate} or {@code chunked-max}. */
    public static LongDocuments parse(String value) {
        switch (value == null ? "" : value.trim().toLowerCase(Locale.ROOT)) {
            case "truncate":
                return truncate();
            case "chunked-max":
            case "chunked_max":
                return chunkedMax();
            default:
                throw new IllegalArgumentException(
                        "unknown long-document strategy '" + value + "'; expected truncate or chunked-max");
        }
    }

    /** Sequence length the model sees for a window, [CLS] and [SEP] included. */
    public int maxLength() {
        return windowPieces + 2;
    }

    @Override
    public String toString() {
        return mode == Mode.TRUNCATE
                ? "truncate"
                : "chunked-max(window=" + windowPieces + ", stride=" + stride + ")";
    }
}
