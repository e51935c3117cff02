package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.flink.OpenSearchConnection;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/** Index administration the commands need beyond what the job's {@code IndexSetup} does. */
final class OpenSearchIndexes {
    private OpenSearchIndexes() {}

    /** Deletes {@code index} with its data; an index that does not exist is no error. */
    static void delete(OpenSearchConnection opensearch, String index) throws IOException, InterruptedException {
        HttpResponse<String> r = send(opensearch, index, HttpRequest.Builder::DELETE);
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IOException("deleting index '" + index + "' failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }

    /** Deletes every index whose name matches {@code pattern} (wildcards as OpenSearch takes them); the names deleted. */
    static List<String> deleteMatching(OpenSearchConnection opensearch, String pattern) throws IOException, InterruptedException {
        HttpResponse<String> r = send(opensearch, "_cat/indices/" + pattern + "?h=index&format=json", HttpRequest.Builder::GET);
        if (r.statusCode() != 200) {
            throw new IOException("listing indexes '" + pattern + "' failed: HTTP " + r.statusCode() + " " + r.body());
        }
        List<String> names = new ArrayList<>();
        new ObjectMapper().readTree(r.body()).forEach(index -> names.add(index.path("index").asText()));
        Collections.sort(names);
        if (!names.isEmpty()) {
            delete(opensearch, String.join(",", names));
        }
        return names;
    }

    private static HttpResponse<String> send(OpenSearchConnection opensearch, String path,
            UnaryOperator<HttpRequest.Builder> method) throws IOException, InterruptedException {
        return opensearch.newHttpClient(Duration.ofSeconds(10)).send(
                method.apply(opensearch.authorize(HttpRequest.newBuilder(opensearch.uri(path))).timeout(Duration.ofSeconds(30))).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
