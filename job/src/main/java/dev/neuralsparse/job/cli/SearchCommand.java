package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
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
                "  --field F          rank_features field (default sparse_embedding)",
                "  --k N              hits (default 10)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("opensearch", "index", "model", "k", "field", "cache-dir"), Set.of());
        if (args.positionals().isEmpty()) {
            throw new CliArgs.UsageException("search needs the query text");
        }
        String query = String.join(" ", args.positionals());
        Path folder = QueryEncoder.resolve(args.require("model"), ModelResolver.builder().build());
        IdfTable idf = IdfTable.read(folder.resolve("idf.json"));
        Map<String, Float> vector;
        try (QueryEncoder encoder = QueryEncoder.open(folder, QueryEncoder.DEFAULT_MISSING_WEIGHT)) {
            vector = encoder.encode(query, idf).toTokenMap(encoder.vocabulary());
        }
        String url = args.get("opensearch", "http://127.0.0.1:9200") + "/" + args.require("index") + "/_search";
        String body = SparseQueryBuilder.rankFeatures(args.get("field", "sparse_embedding"), vector, args.getInt("k", 10)).toString();
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
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
