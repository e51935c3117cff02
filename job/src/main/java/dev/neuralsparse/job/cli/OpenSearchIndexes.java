package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.OpenSearchConnection;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Index administration the commands need beyond what the job's {@code IndexSetup} does. */
final class OpenSearchIndexes {
    private OpenSearchIndexes() {}

    /** Deletes {@code index} with its data; an index that does not exist is no error. */
    static void delete(OpenSearchConnection opensearch, String index) throws IOException, InterruptedException {
        HttpResponse<String> r = opensearch.newHttpClient(Duration.ofSeconds(10)).send(
                opensearch.authorize(HttpRequest.newBuilder(opensearch.uri(index))).timeout(Duration.ofSeconds(30)).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200 && r.statusCode() != 404) {
            throw new IOException("deleting index '" + index + "' failed: HTTP " + r.statusCode() + " " + r.body());
        }
    }
}
