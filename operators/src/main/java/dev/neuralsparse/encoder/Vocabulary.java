package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;

/**
 * Token strings by id, and which ids are special ([PAD] [UNK] [CLS] [SEP] [MASK] for the
 * bert-base-uncased vocabulary), read from {@code tokenizer.json}: its WordPiece {@code vocab} and
 * its {@code added_tokens} flagged {@code special}.
 */
public final class Vocabulary {
    private final String[] tokens;
    private final int[] specialIds;

    private Vocabulary(String[] tokens, int[] specialIds) {
        this.tokens = tokens;
        this.specialIds = specialIds;
    }

    public static Vocabulary read(Path tokenizerJson) {
        return of(readJson(tokenizerJson), tokenizerJson);
    }

    /** {@code tokenizer.json} as a tree, read once for the vocabulary and the Java tokenizer. */
    static JsonNode readJson(Path tokenizerJson) {
        try {
            return new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** The vocabulary of a parsed {@code tokenizer.json} (read from {@code tokenizerJson}, for messages). */
    static Vocabulary of(JsonNode json, Path tokenizerJson) {
        JsonNode vocab = json == null ? null : json.path("model").get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new ModelLoadException(tokenizerJson + " has no WordPiece model.vocab");
        }
        int size = 0;
        for (JsonNode id : vocab) {
            size = Math.max(size, id.asInt() + 1);
        }
        String[] tokens = new String[size];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            tokens[e.getValue().asInt()] = e.getKey();
        }
        int[] specials = new int[0];
        for (JsonNode added : json.path("added_tokens")) {
            if (added.path("special").asBoolean(false)) {
                specials = Arrays.copyOf(specials, specials.length + 1);
                specials[specials.length - 1] = added.path("id").asInt();
            }
        }
        Arrays.sort(specials);
        return new Vocabulary(tokens, specials);
    }

    public int size() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** Ids whose weight is always 0 in a document vector and that a query vector drops. */
    public int[] specialIds() {
        return specialIds.clone();
    }

    public boolean isSpecial(int id) {
        return Arrays.binarySearch(specialIds, id) >= 0;
    }
}
