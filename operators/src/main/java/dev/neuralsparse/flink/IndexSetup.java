package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the target index exists with a {@code rank_features} mapping for the vector field
 * before the job starts: creates it when absent (shards, replicas, refresh interval), adds the
 * field to an index that lacks it, and refuses an index whose field has another type. While
 * OpenSearch cannot be reached it retries with exponential backoff, then fails clearly.
 */
public final class IndexSetup {
    private static final Logger LOG = LoggerFactory.getLogger(IndexSetup.class);

    /** Index settings used when the index is created. */
    public record Settings(int shards, int replicas, String refreshInterval) {
        public static Settings defaults() {
            return new Settings(1, 0, "1s");
        }
    }

    private final URI base;
    private final HttpClient http;
    private final Duration unavailableTimeout;
    private final ObjectMapper json = new ObjectMapper();

    public IndexSetup(String url, Duration unavailableTimeout) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.unavailableTimeout = unavailableTimeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    public void ensure(String index, String field, Settings settings) {
        HttpResponse<String> mapping = call("GET", index + "/_mapping", null);
        if (mapping.statusCode() == 404) {
            create(index, field, settings);
            return;
        }
        expectOk(mapping, "reading the mapping of index '" + index + "'");
        JsonNode type = readTree(mapping.body()).path(index).path("mappings").path("properties").path(field).path("type");
        if (type.isMissingNode()) {
            ObjectNode body = json.createObjectNode();
            body.putObject("properties").putObject(field).put("type", "rank_features");
            expectOk(call("PUT", index + "/_mapping", body.toString()), "adding field '" + field + "' to index '" + index + "'");
            LOG.info("Added rank_features field '{}' to existing index '{}'", field, index);
        } else if (!type.asText().equals("rank_features")) {
            throw new IllegalStateException("index '" + index + "' already maps field '" + field + "' as " + type.asText()
                    + ", not rank_features: choose another --index or --output-field");
        }
    }

    private void create(String index, String field, Settings settings) {
        ObjectNode body = json.createObjectNode();
        ObjectNode s = body.putObject("settings");
        s.put("number_of_shards", settings.shards());
        s.put("number_of_replicas", settings.replicas());
        s.put("refresh_interval", settings.refreshInterval());
        body.putObject("mappings").putObject("properties").putObject(field).put("type", "rank_features");
        HttpResponse<String> r = call("PUT", index, body.toString());
        if (r.statusCode() == 400 && r.body().contains("resource_already_exists_exception")) {
            ensure(index, field, settings); // created meanwhile by another job: check its mapping
            return;
        }
        expectOk(r, "creating index '" + index + "'");
        LOG.info("Created index '{}' with rank_features field '{}'", index, field);
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        long deadline = System.nanoTime() + unavailableTimeout.toNanos();
        long backoffMs = 250;
        while (true) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 503) {
                    return r;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("OpenSearch at " + base + " answers 503 (not ready) after "
                            + unavailableTimeout.toSeconds() + " s of retries: " + r.body());
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("OpenSearch at " + base + " is unavailable (" + e + ") after "
                            + unavailableTimeout.toSeconds() + " s of retries with backoff", e);
                }
                LOG.warn("OpenSearch at {} is unavailable ({}); retrying in {} ms", base, e.toString(), backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for OpenSearch", e);
            }
            sleep(backoffMs);
            backoffMs = Math.min(backoffMs * 2, 5_000);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for OpenSearch", e);
        }
    }

    private static void expectOk(HttpResponse<String> r, String what) {
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(what + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private JsonNode readTree(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("OpenSearch answered with invalid JSON: " + body, e);
        }
    }
}
