package dev.neuralsparse.encoder;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The read-only fixtures in {@code ../shared} (golden models and their expected vectors). */
public final class SharedFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedFixtures() {}

    /** The shared folder; the calling test is skipped, saying why, when it is absent. */
    public static Path dir() {
        Path dir = Paths.get(System.getProperty("shared.dir", "../shared")).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(dir.resolve("models")), "../shared is absent (looked in " + dir + ")");
        return dir;
    }

    public static Path model(String name) {
        return dir().resolve("models").resolve(name);
    }

    public static List<JsonNode> jsonLines(Path file) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Float> floatMap(JsonNode object) {
        Map<String, Float> map = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), (float) e.getValue().asDouble());
        }
        return map;
    }

    public static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
