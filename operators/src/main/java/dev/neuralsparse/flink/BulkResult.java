package dev.neuralsparse.flink;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import org.apache.http.impl.EnglishReasonPhraseCatalog;

/**
 * The answer to one {@code _bulk} request, item by item in the order they were sent (OpenSearch
 * answers in request order). Read from a response filtered to what the writer needs
 * ({@link #FILTER_PATH}); when OpenSearch says there were no errors, the items are not read at all.
 */
final class BulkResult {
    /** The {@code filter_path} that keeps each item's status and error only. */
    static final String FILTER_PATH = "errors,items.*.status,items.*.error";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int items;
    /** Null when every item succeeded. */
    private final int[] statuses;
    private final String[] errors;

    private BulkResult(int items, int[] statuses, String[] errors) {
        this.items = items;
        this.statuses = statuses;
        this.errors = errors;
    }

    /** Parses the answer to a request of {@code items} items. */
    static BulkResult parse(byte[] body, int items) throws IOException {
        if (!hasErrors(body)) {
            return new BulkResult(items, null, null);
        }
        JsonNode answers = JSON.readTree(body).path("items");
        if (answers.size() != items) {
            throw new IOException("OpenSearch answered " + answers.size() + " items to a bulk of " + items);
        }
        int[] statuses = new int[items];
        String[] errors = new String[items];
        for (int i = 0; i < items; i++) {
            Iterator<JsonNode> ops = answers.get(i).elements(); // {"index": {...}} or {"delete": {...}}
            JsonNode item = ops.hasNext() ? ops.next() : JSON.createObjectNode();
            statuses[i] = item.path("status").asInt(0);
            errors[i] = item.has("error") ? describe(item.get("error")) : null;
        }
        return new BulkResult(items, statuses, errors);
    }

    /** Reads only up to the top-level {@code errors} flag, which OpenSearch writes before the items. */
    private static boolean hasErrors(byte[] body) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a bulk answer that is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("errors")) {
                    return p.getBooleanValue();
                }
                p.skipChildren();
            }
        }
        throw new IOException("a bulk answer without the 'errors' flag");
    }

    int items() {
        return items;
    }

    boolean failed(int position) {
        return statuses != null && (statuses[position] < 200 || statuses[position] > 299);
    }

    int status(int position) {
        return statuses == null ? 200 : statuses[position];
    }

    /** E.g. "400 BAD_REQUEST mapper_parsing_exception: failed to parse field [year] (caused by ...)". */
    String failure(int position) {
        String phrase = EnglishReasonPhraseCatalog.INSTANCE.getReason(statuses[position], Locale.ROOT);
        return statuses[position] + (phrase == null ? "" : " " + phrase.toUpperCase(Locale.ROOT).replace(' ', '_')) + " "
                + errors[position];
    }

    /** An OpenSearch error object in one line: type, reason, and the chain of causes. */
    static String describe(JsonNode error) {
        if (!error.isObject()) {
            return error.asText();
        }
        StringBuilder s = new StringBuilder();
        for (JsonNode e = error; e != null && e.isObject(); e = e.get("caused_by")) {
            s.append(s.length() == 0 ? "" : " (caused by ").append(e.path("type").asText("error")).append(": ")
                    .append(e.path("reason").asText(""));
        }
        for (JsonNode e = error.get("caused_by"); e != null && e.isObject(); e = e.get("caused_by")) {
            s.append(')');
        }
        return s.toString();
    }
}
