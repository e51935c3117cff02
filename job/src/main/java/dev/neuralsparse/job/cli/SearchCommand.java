package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import dev.neuralsparse.flink.OpenSearchConnection;
import dev.neuralsparse.job.pipeline.Connections;
import java.io.InputStream;
import java.time.Duration;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** {@code neural-sparse search}: one query against an index, top hits as JSON lines. */
final class SearchCommand implements Command {
    @Override
    public String name() {
        return "search";
    }

    @Override
    public String summary() {
        return "query an index: top hits as JSON lines {\"id\", \"score\"}, best first";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse search --index I --model DIR|REPO_ID [--opensearch URL] [--k 10] \"query text\"",
                "",
                "Encodes the query with the model's tokenizer and idf.json (no model inference) and runs it",
                "as a bool of linear rank_feature queries (score = dot product).",
                "",
                "  --opensearch URL   default http://127.0.0.1:9200",
                "  --opensearch-username U, --opensearch-password-file F (or OPENSEARCH_PASSWORD),",
                "  --opensearch-ca FILE.pem, --opensearch-insecure   as for `run`",
                "  --model-revision R branch, tag or commit SHA of a hub model (default main)",
                "  --field F          rank_features field (default sparse_embedding)",
                "  --k N              hits (default 10)");
    }

    /** The OpenSearch connection of the command's own options, built as the job builds its own. */
    static OpenSearchConnection connection(CliArgs args) {
        java.util.Map<String, String> options = new java.util.HashMap<>();
        for (String key : java.util.List.of("opensearch", "opensearch-username", "opensearch-password-file", "opensearch-ca",
                "opensearch-insecure")) {
            if (args.has(key)) {
                options.put(key, args.get(key, "true"));
            }
        }
        return Connections.opensearch(org.apache.flink.configuration.Configuration.fromMap(options));
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("opensearch", "opensearch-username", "opensearch-password-file",
                "opensearch-ca", "opensearch-insecure", "index", "model", "model-revision", "k", "field", "cache-dir"),
                Set.of("opensearch-insecure"));
        OpenSearchConnection opensearch = connection(args);
        if (args.positionals().isEmpty()) {
            throw new CliArgs.UsageException("search needs the query text");
        }
        String query = String.join(" ", args.positionals());
        Path folder = QueryEncoder.resolve(args.require("model"), args.modelResolver());
        IdfTable idf = IdfTable.read(folder.resolve("idf.json"));
        Map<String, Float> vector;
        try (QueryEncoder encoder = QueryEncoder.open(folder, QueryEncoder.DEFAULT_MISSING_WEIGHT)) {
            vector = encoder.encode(query, idf).toTokenMap(encoder.vocabulary());
        }
        String body = SparseQueryBuilder.rankFeatures(args.get("field", "sparse_embedding"), vector, args.getInt("k", 10)).toString();
        HttpResponse<String> r;
        try {
            r = opensearch.newHttpClient(Duration.ofSeconds(10)).send(opensearch.authorize(HttpRequest.newBuilder(
                    opensearch.uri(args.require("index") + "/_search")))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw opensearch.explain(e);
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            err.println("neural-sparse search: " + opensearch.authenticationFailed(r.statusCode()));
            return 1;
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode response = json.readTree(r.body());
        if (r.statusCode() != 200) {
            err.println("neural-sparse search: OpenSearch answered " + r.statusCode() + ": " + r.body());
            return 1;
        }
        for (JsonNode hit : response.path("hits").path("hits")) {
            out.println(json.createObjectNode().put("id", hit.get("_id").asText()).put("score", hit.get("_score").asDouble()));
        }
        return 0;
    }
}
