package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** The fixtures this repository generates itself (operators/src/test/python), under test resources. */
final class RepoFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RepoFixtures() {}

    static Path folder(String name) throws Exception {
        return Paths.get(RepoFixtures.class.getResource("/models/" + name + "/config.json").toURI()).getParent();
    }

    static List<JsonNode> expected(String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(folder(name).resolve("expected_docs.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }
}
