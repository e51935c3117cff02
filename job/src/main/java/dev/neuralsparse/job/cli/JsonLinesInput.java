package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code {"id": ..., "text": "..."}} JSON lines in chunks. A line that is not JSON or has no
 * string {@code text} is reported on stderr with its line number and counted, never dropped
 * silently; blank lines hold no document and are passed over.
 */
final class JsonLinesInput {
    /** One valid input line. */
    record Line(long number, JsonNode id, String text) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BufferedReader reader;
    private final PrintStream errors;
    private final String source;
    private long lineNumber;
    private long rejected;

    JsonLinesInput(BufferedReader reader, String source, PrintStream errors) {
        this.reader = reader;
        this.source = source;
        this.errors = errors;
    }

    /** Up to {@code max} valid lines; an empty list at the end of the input. */
    List<Line> next(int max) throws IOException {
        List<Line> out = new ArrayList<>(max);
        String raw;
        while (out.size() < max && (raw = reader.readLine()) != null) {
            lineNumber++;
            if (raw.isBlank()) {
                continue;
            }
            Line line = parse(raw);
            if (line != null) {
                out.add(line);
            }
        }
        return out;
    }

    private Line parse(String raw) {
        JsonNode node;
        try {
            node = JSON.readTree(raw);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return reject("not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            return reject("not a JSON object");
        }
        JsonNode text = node.get("text");
        if (text == null || text.isNull()) {
            return reject("no \"text\" field");
        }
        if (!text.isTextual()) {
            return reject("\"text\" is a " + text.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + ", not a string");
        }
        return new Line(lineNumber, node.get("id"), text.asText());
    }

    private Line reject(String reason) {
        rejected++;
        errors.println(source + " line " + lineNumber + ": " + reason + "; line skipped");
        return null;
    }

    long rejected() {
        return rejected;
    }
}
