package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token strings by id and back, and which ids are special ([PAD] [UNK] [CLS] [SEP] [MASK] for the
 * bert-base-uncased vocabulary), read from {@code tokenizer.json}: its WordPiece {@code vocab} and
 * its {@code added_tokens} flagged {@code special}.
 */
public final class Vocabulary {
    private final String[] tokens;
    private final Map<String, Integer> ids;
    private final int[] specialIds;

    private Vocabulary(String[] tokens, Map<String, Integer> ids, int[] specialIds) {
        this.tokens = tokens;
        this.ids = ids;
        this.specialIds = specialIds;
    }

    public static Vocabulary read(Path tokenizerJson) {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
        JsonNode vocab = json == null ? null : json.path("model").get("vocab");
        if (vocab == null || !vocab.isObject() || vocab.isEmpty()) {
            throw new ModelLoadException(tokenizerJson + " has no WordPiece model.vocab");
        }
        Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ids.put(e.getKey(), e.getValue().asInt());
            max = Math.max(max, e.getValue().asInt());
        }
        String[] tokens = new String[max + 1];
        ids.forEach((token, id) -> tokens[id] = token);
        int[] specials = new int[0];
        for (JsonNode added : json.path("added_tokens")) {
            if (added.path("special").asBoolean(false)) {
                specials = Arrays.copyOf(specials, specials.length + 1);
                specials[specials.length - 1] = added.path("id").asInt();
            }
        }
        Arrays.sort(specials);
        return new Vocabulary(tokens, ids, specials);
    }

    public int size() {
        return tokens.length;
    }

    public String token(int id) {
        return tokens[id];
    }

    /** The id of {@code token}, or -1 when it is not in the vocabulary. */
    public int id(String token) {
        Integer id = ids.get(token);
        return id == null ? -1 : id;
    }

    /** Ids whose weight is always 0 in a document vector and that a query vector drops. */
    public int[] specialIds() {
        return specialIds.clone();
    }

    public boolean isSpecial(int id) {
        return Arrays.binarySearch(specialIds, id) >= 0;
    }
}
