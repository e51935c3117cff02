package dev.neuralsparse.encoder;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Text to model inputs with the model's own {@code tokenizer.json} (the Hugging Face Rust
 * tokenizer through DJL, or under BERT's pipeline for text in the blocks it covers the same rules
 * in Java, {@link BertWordPiece}): word pieces without truncation, then cut into [CLS] ... [SEP] sequences
 * as the long-document strategy says. Thread-safe: tokenization can run ahead of the device on
 * other threads.
 */
public final class DocumentTokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    /** BERT's tokenizer in Java for the text it covers (null for other tokenizers): the same ids, faster. */
    private final BertWordPiece bert;
    private final Vocabulary vocabulary;
    private final long cls;
    private final long sep;

    private DocumentTokenizer(HuggingFaceTokenizer tokenizer, BertWordPiece bert, Vocabulary vocabulary) {
        this.tokenizer = tokenizer;
        this.bert = bert;
        this.vocabulary = vocabulary;
        // The post-processor's template ([CLS] $A [SEP]) applied to nothing gives the two ids.
        long[] empty = tokenizer.encode("", true, false).getIds();
        if (empty.length != 2) {
            throw new ModelLoadException("tokenizer.json does not wrap a text in [CLS] ... [SEP] (got "
                    + Arrays.toString(empty) + " for an empty text)");
        }
        this.cls = empty[0];
        this.sep = empty[1];
    }

    public static DocumentTokenizer load(Path folder) {
        Path file = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("Model folder " + folder + " has no tokenizer.json");
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(false)
                    .optTruncation(false) // windows and truncation are cut here, per strategy
                    .optPadding(false)
                    .build();
            JsonNode json = Vocabulary.readJson(file); // 700 KB: parsed once for both
            return new DocumentTokenizer(tokenizer, BertWordPiece.of(json), Vocabulary.of(json, file));
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelLoadException) {
                throw (ModelLoadException) e;
            }
            throw new ModelLoadException("Cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** All word-piece ids of {@code text}, without special tokens and without truncation. */
    public long[] wordPieces(String text) {
        Objects.requireNonNull(text, "text must not be null");
        long[] fast = bert == null ? null : bert.wordPieces(text);
        return fast != null ? fast : huggingFaceWordPieces(text);
    }

    /** The Hugging Face tokenizer's word pieces, whatever the text: the reference of the fast path (tests, bench). */
    public long[] huggingFaceWordPieces(String text) {
        return tokenizer.encode(text, false, false).getIds();
    }

    /**
     * The model inputs for {@code text}: one [CLS] ... [SEP] sequence of at most
     * {@code strategy.maxLength()} ids when truncating, else overlapping windows that cover it all.
     */
    public List<long[]> sequences(String text, LongDocuments strategy) {
        long[] pieces = wordPieces(text);
        int room = strategy.windowPieces();
        if (pieces.length <= room || strategy.mode() == LongDocuments.Mode.TRUNCATE) {
            return List.of(wrap(pieces, 0, Math.min(pieces.length, room)));
        }
        List<long[]> windows = new ArrayList<>();
        for (int start = 0; ; start += strategy.stride()) {
            int end = Math.min(pieces.length, start + room);
            windows.add(wrap(pieces, start, end));
            if (end == pieces.length) {
                return windows;
            }
        }
    }

    private long[] wrap(long[] pieces, int from, int to) {
        long[] ids = new long[to - from + 2];
        ids[0] = cls;
        System.arraycopy(pieces, from, ids, 1, to - from);
        ids[ids.length - 1] = sep;
        return ids;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
