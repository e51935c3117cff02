package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A change of the query-side IDF table, from the {@code idf-updates} topic:
 * {@code {"version": 3, "full": false, "weights": {"token": weight, ...}}}. A full update replaces
 * the table; a partial one changes the tokens it names. Versions only go forward.
 */
public class IdfUpdate implements Serializable {
    private static final long serialVersionUID = 1L;

    public long version;
    public boolean full;
    public HashMap<String, Float> weights;
    public SourceRecord source;

    public IdfUpdate() {}

    /** Parses an update; the message of the exception says what is wrong with it. */
    public static IdfUpdate parse(SourceRecord record) throws IllegalArgumentException {
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(record.value == null ? "" : new String(record.value, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("IDF update is not valid JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("IDF update is not a JSON object");
        }
        if (!json.path("version").canConvertToLong()) {
            throw new IllegalArgumentException("IDF update needs an integer \"version\"");
        }
        JsonNode weights = json.path("weights");
        if (!weights.isObject()) {
            throw new IllegalArgumentException("IDF update needs an object \"weights\" of token -> weight");
        }
        IdfUpdate u = new IdfUpdate();
        u.version = json.get("version").asLong();
        u.full = json.path("full").asBoolean(false);
        u.weights = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weights.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isNumber() || e.getValue().floatValue() < 0 || !Float.isFinite(e.getValue().floatValue())) {
                throw new IllegalArgumentException("IDF update weight of '" + e.getKey() + "' is not a non-negative number");
            }
            u.weights.put(e.getKey(), e.getValue().floatValue());
        }
        u.source = record;
        return u;
    }
}
