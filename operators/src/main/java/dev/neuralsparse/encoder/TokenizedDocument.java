package dev.neuralsparse.encoder;

import java.util.List;

/**
 * A document ready for the model: one [CLS] ... [SEP] id sequence, or several windows of a long
 * document under {@code chunked-max}.
 */
public record TokenizedDocument(List<long[]> sequences) {

    public TokenizedDocument {
        if (sequences.isEmpty()) {
            throw new IllegalArgumentException("a tokenized document has at least one sequence");
        }
        sequences = List.copyOf(sequences);
    }

    /** Tokens that reach the model, special tokens included, all windows together. */
    public int tokenCount() {
        int n = 0;
        for (long[] s : sequences) {
            n += s.length;
        }
        return n;
    }
}
