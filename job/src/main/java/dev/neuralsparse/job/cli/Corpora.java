package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Where the shared data sits, and reading BEIR corpora ({@code corpus.jsonl[.gz]}). */
final class Corpora {
    private Corpora() {}

    /** The project root: {@code -Dneural.sparse.home} (set by bin/neural-sparse), else the working directory. */
    static Path home() {
        return Paths.get(System.getProperty("neural.sparse.home", ".")).toAbsolutePath().normalize();
    }

    /** {@code $NEURAL_SPARSE_CACHE}, else {@code ~/.cache/neural-sparse}: models, generated files. */
    static Path cacheDir() {
        return dev.neuralsparse.encoder.ModelResolver.cacheRoot();
    }

    /** {@code ../shared} beside the project. */
    static Path shared() {
        return home().resolveSibling("shared");
    }

    /** The first {@code max} documents of a BEIR corpus as title + " " + text, as BEIR joins them. */
    static List<String> beirTexts(Path corpus, int max) throws IOException {
        List<String> out = new ArrayList<>();
        for (ObjectNode doc : beirDocuments(corpus, max)) {
            out.add(beirText(doc));
        }
        return out;
    }

    /** A BEIR document's text: title + " " + text, as BEIR joins them. */
    static String beirText(ObjectNode doc) {
        return (doc.path("title").asText("") + " " + doc.path("text").asText("")).strip();
    }

    /** The first {@code max} documents of a BEIR corpus as they are ({@code _id}, {@code title}, {@code text}, ...). */
    static List<ObjectNode> beirDocuments(Path corpus, int max) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> out = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(corpus);
                InputStream in = corpus.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while (out.size() < max && (line = reader.readLine()) != null) {
                out.add((ObjectNode) json.readTree(line));
            }
        }
        return out;
    }
}
