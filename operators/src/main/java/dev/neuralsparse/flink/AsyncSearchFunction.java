package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Runs each query vector against the index with a non-blocking HTTP client, as a bool of linear
 * {@code rank_feature} queries (score = dot product), or as the neural-search plugin's
 * {@code neural_sparse} query. A failed search completes as a result with its error, which the
 * job routes to the dead letters.
 */
public class AsyncSearchFunction extends RichAsyncFunction<QueryVector, SearchResult> {
    private static final long serialVersionUID = 1L;

    private final OpenSearchConnection connection;
    private final String index;
    private final String field;
    private final boolean neuralSparse;
    private transient HttpClient http;
    private transient ObjectMapper json;

    public AsyncSearchFunction(OpenSearchConnection connection, String index, String field, boolean neuralSparse) {
        this.connection = connection;
        this.index = index;
        this.field = field;
        this.neuralSparse = neuralSparse;
    }

    @Override
    public void open(OpenContext context) {
        http = connection.newHttpClient(Duration.ofSeconds(10));
        json = new ObjectMapper();
    }

    @Override
    public void asyncInvoke(QueryVector q, ResultFuture<SearchResult> future) {
        String body = (neuralSparse
                ? SparseQueryBuilder.neuralSparse(field, q.vector, q.k)
                : SparseQueryBuilder.rankFeatures(field, q.vector, q.k)).toString();
        HttpRequest request = connection.authorize(HttpRequest.newBuilder(connection.uri(index + "/_search")))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
            // Classified as FailureClass says: the cluster's faults fail the task (and restart it
            // from the checkpoint); only a query OpenSearch refuses for what it is is a dead letter.
            if (e != null) {
                future.completeExceptionally(connection.explain(e instanceof Exception ex ? ex : new RuntimeException(e)));
                return;
            }
            if (r.statusCode() == 401 || r.statusCode() == 403) {
                future.completeExceptionally(new IllegalStateException(connection.authenticationFailed(r.statusCode())));
                return;
            }
            if (FailureClass.ofHttpStatus(r.statusCode()) == FailureClass.INFRASTRUCTURE) {
                future.completeExceptionally(new IllegalStateException("OpenSearch answered the search of query " + q.id
                        + " with HTTP " + r.statusCode() + "; restarting from the last checkpoint"));
                return;
            }
            SearchResult result = new SearchResult();
            result.queryId = q.id;
            result.source = q.source;
            try {
                if (r.statusCode() != 200) {
                    result.error = "search failed: HTTP " + r.statusCode() + " " + r.body();
                } else {
                    hits(json.readTree(r.body()), result);
                }
            } catch (Exception parse) {
                result.error = "search answer could not be read: " + parse;
            }
            future.complete(Collections.singleton(result));
        });
    }

    private static void hits(JsonNode response, SearchResult result) {
        JsonNode hits = response.path("hits").path("hits");
        result.hitIds = new String[hits.size()];
        result.scores = new double[hits.size()];
        for (int i = 0; i < hits.size(); i++) {
            result.hitIds[i] = hits.get(i).get("_id").asText();
            result.scores[i] = hits.get(i).get("_score").asDouble();
        }
    }

    @Override
    public void timeout(QueryVector q, ResultFuture<SearchResult> future) {
        SearchResult result = new SearchResult();
        result.queryId = q.id;
        result.source = q.source;
        result.error = "search timed out";
        future.complete(Collections.singleton(result));
    }
}
