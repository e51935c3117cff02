package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.flink.OpenSearchConnection;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** How many documents an index holds, asked as often as a progress line needs, over one client. */
final class IndexCount {
    private final OpenSearchConnection opensearch;
    private final String index;
    private final HttpClient http;

    IndexCount(OpenSearchConnection opensearch, String index) {
        this.opensearch = opensearch;
        this.index = index;
        this.http = opensearch.newHttpClient(Duration.ofSeconds(5));
    }

    /** Documents in the index now (0 when it cannot be read); refreshed first only when {@code exact}. */
    long get(boolean exact) {
        try {
            if (exact) { // progress polls read what the refresh interval has made visible
                http.send(request(index + "/_refresh").POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            HttpResponse<String> r = http.send(request(index + "/_count").build(), HttpResponse.BodyHandlers.ofString());
            return new ObjectMapper().readTree(r.body()).path("count").asLong();
        } catch (Exception e) {
            return 0;
        }
    }

    private HttpRequest.Builder request(String path) {
        return opensearch.authorize(HttpRequest.newBuilder(opensearch.uri(path))).timeout(Duration.ofSeconds(5));
    }
}
