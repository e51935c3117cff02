package dev.neuralsparse.encoder;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Token -> query weight, as shipped in a model's {@code idf.json}. Immutable and serializable (it
 * travels as Flink broadcast state); {@link #merge} makes the next version from a partial update.
 */
public final class IdfTable implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HashMap<String, Float> weights;
    private final long version;

    private IdfTable(HashMap<String, Float> weights, long version) {
        this.weights = weights;
        this.version = version;
    }

    public static IdfTable of(Map<String, Float> weights, long version) {
        HashMap<String, Float> copy = new HashMap<>(weights);
        copy.forEach((token, w) -> {
            if (w == null || !Float.isFinite(w) || w < 0) {
                throw new IllegalArgumentException("idf weight of '" + token + "' must be a finite non-negative number, got " + w);
            }
        });
        return new IdfTable(copy, version);
    }

    /** Reads {@code idf.json} (a JSON object token -> number) as version 0. */
    public static IdfTable read(Path file) {
        try {
            Map<String, Float> map = JSON.readValue(file.toFile(), new TypeReference<Map<String, Float>>() {});
            if (map == null || map.isEmpty()) {
                throw new ModelLoadException(file + " holds no token weights");
            }
            return of(map, 0);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ModelLoadException("Model folder " + file.getParent() + " has no " + file.getFileName()
                    + ": the query side needs the IDF table", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ModelLoadException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The weight of {@code token}, or {@code fallback} when the table does not have it. */
    public float get(String token, float fallback) {
        Float w = weights.get(token);
        return w == null ? fallback : w;
    }

    public int size() {
        return weights.size();
    }

    public long version() {
        return version;
    }

    /** A new table: this one with {@code updates} applied over it. */
    public IdfTable merge(Map<String, Float> updates, long newVersion) {
        HashMap<String, Float> next = new HashMap<>(weights);
        next.putAll(of(updates, newVersion).weights);
        return new IdfTable(next, newVersion);
    }
}
