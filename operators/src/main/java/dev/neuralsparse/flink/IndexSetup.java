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
 * Makes sure the target index exists with the vector field's mapping ({@link VectorField}:
 * {@code rank_features} or {@code sparse_vector}) before the job starts: creates it when absent
 * (shards, replicas, refresh interval), adds a rank_features field to an index that lacks it, and
 * refuses an index whose field has another type. While
 * OpenSearch cannot be reached it retries with exponential backoff, then fails clearly.
 */
public final class IndexSetup {
    private static final Logger LOG = LoggerFactory.getLogger(IndexSetup.class);

    /** Index settings used when the index is created. */
    public record Settings(int shards, int replicas, String refreshInterval, VectorField field) {
        public Settings(int shards, int replicas, String refreshInterval) {
            this(shards, replicas, refreshInterval, VectorField.rankFeatures());
        }

        public static Settings defaults() {
            return new Settings(1, 0, "1s");
        }
    }

    private final OpenSearchConnection connection;
    private final URI base;
    private final HttpClient http;
    private final Duration unavailableTimeout;
    private final ObjectMapper json = new ObjectMapper();

    public IndexSetup(String url, Duration unavailableTimeout) {
        this(OpenSearchConnection.of(url), unavailableTimeout);
    }

    public IndexSetup(OpenSearchConnection connection, Duration unavailableTimeout) {
        this.connection = connection;
        this.base = URI.create(connection.url() + "/");
        this.unavailableTimeout = unavailableTimeout;
        this.http = connection.newHttpClient(Duration.ofSeconds(5));
    }

    public void ensure(String index, String field, Settings settings) {
        HttpResponse<String> mapping = call("GET", index + "/_mapping", null);
        if (mapping.statusCode() == 404) {
            create(index, field, settings);
            return;
        }
        expectOk(mapping, "reading the mapping of index '" + index + "'");
        JsonNode type = readTree(mapping.body()).path(index).path("mappings").path("properties").path(field).path("type");
        String wanted = settings.field().type().mappingName();
        if (type.isMissingNode() && settings.field().type() == VectorField.Type.SPARSE_VECTOR) {
            throw new IllegalStateException("index '" + index + "' exists without field '" + field + "': a sparse_vector"
                    + " field needs index.sparse, which is set when an index is created; choose a new --index");
        } else if (type.isMissingNode()) {
            ObjectNode body = json.createObjectNode();
            body.putObject("properties").set(field, settings.field().mapping());
            expectOk(call("PUT", index + "/_mapping", body.toString()), "adding field '" + field + "' to index '" + index + "'");
            LOG.info("Added {} field '{}' to existing index '{}'", wanted, field, index);
        } else if (!type.asText().equals(wanted)) {
            throw new IllegalStateException("index '" + index + "' already maps field '" + field + "' as " + type.asText()
                    + ", not " + wanted + ": choose another --index or --output-field");
        }
    }

    /** The body that creates the index: its settings and the vector field's mapping. */
    static ObjectNode createBody(String field, Settings settings) {
        ObjectNode body = new ObjectMapper().createObjectNode();
        ObjectNode s = body.putObject("settings");
        s.put("number_of_shards", settings.shards());
        s.put("number_of_replicas", settings.replicas());
        s.put("refresh_interval", settings.refreshInterval());
        settings.field().addIndexSettings(s);
        body.putObject("mappings").putObject("properties").set(field, settings.field().mapping());
        return body;
    }

    private void create(String index, String field, Settings settings) {
        HttpResponse<String> r = call("PUT", index, createBody(field, settings).toString());
        if (r.statusCode() == 400 && r.body().contains("resource_already_exists_exception")) {
            ensure(index, field, settings); // created meanwhile by another job: check its mapping
            return;
        }
        expectOk(r, "creating index '" + index + "'");
        LOG.info("Created index '{}' with {} field '{}'", index, settings.field().type().mappingName(), field);
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest request = connection.authorize(HttpRequest.newBuilder(base.resolve(path)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        long deadline = System.nanoTime() + unavailableTimeout.toNanos();
        long backoffMs = 250;
        while (true) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    // Not a server that is starting: retrying the same credentials cannot help.
                    throw new ClusterAccessException(connection.authenticationFailed(r.statusCode()), null);
                }
                if (r.statusCode() != 503) {
                    return r;
                }
                if (System.nanoTime() > deadline) {
                    throw new ClusterAccessException("OpenSearch at " + base + " answers 503 (not ready) after "
                            + unavailableTimeout.toSeconds() + " s of retries: " + r.body(), null);
                }
            } catch (javax.net.ssl.SSLException e) {
                throw connection.explain(e); // a certificate does not start to be trusted by waiting
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new ClusterAccessException("OpenSearch at " + base + " is unavailable (" + e + ") after "
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
