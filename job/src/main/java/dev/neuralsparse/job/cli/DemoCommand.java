package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.KafkaConnection;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.ModelLoadException;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.RandomDistilBert;
import dev.neuralsparse.encoder.SparseQueryBuilder;
import dev.neuralsparse.flink.OpenSearchConnection;
import dev.neuralsparse.job.pipeline.JobOptions;
import dev.neuralsparse.job.stack.LocalStack;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;

/**
 * {@code neural-sparse demo}: the whole path on one machine. Brings up the local stack, loads a
 * corpus into Kafka, runs the job bounded with a progress line, then runs three sample queries
 * and prints the top hits. Without the hub and without a cached model it says so loudly and goes
 * on with a small seeded random-weight model, so that it always runs end to end.
 */
final class DemoCommand implements Command {
    static final String TOPIC = "neural-sparse-demo-docs";
    static final String INDEX = "neural-sparse-demo";
    private static final List<String> QUERIES = List.of(
            "time sharing operating systems", "parallel algorithms for sorting", "compiler code optimization");

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "stack up, load a corpus, run the job, search: the whole path on this machine";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse demo [--model DIR|REPO_ID] [--docs N] [stack options]",
                "",
                "1. starts Kafka and OpenSearch (as `neural-sparse stack up`),",
                "2. loads ../shared/data/cacm/corpus.jsonl (else a bundled CACM sample) into topic " + TOPIC + ",",
                "3. runs the job bounded into index " + INDEX + " (both recreated), printing progress,",
                "4. runs three sample queries and prints the top hits with their scores.",
                "",
                "  --model DIR|REPO_ID   default " + JobOptions.MODEL.defaultValue() + " (cached after the",
                "                        first run); offline and uncached, a small random-weight model is used",
                "  --docs N              documents to load (default 1000)",
                "  --device D            cpu (default) or gpu/auto",
                "  --kafka-port, --opensearch-port, --stack-dir   as for `stack`");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, StackCommand.withStackOptions("model", "docs", "device"), Set.of());
        LocalStack stack = StackCommand.stack(args);
        err.println("== 1/4 local stack (Kafka + OpenSearch, data in " + stack.dir() + ")");
        stack.up();
        List<String> corpus = corpus(args.getInt("docs", 1000), err);
        ModelChoice model = model(args.get("model", JobOptions.MODEL.defaultValue()), corpus, err);

        err.println("== 2/4 loading " + corpus.size() + " documents into Kafka topic " + TOPIC);
        OpenSearchConnection opensearch = OpenSearchConnection.of(stack.opensearchUrl()); // the local stack: plain HTTP
        OpenSearchIndexes.delete(opensearch, INDEX);
        KafkaTopics.createWithDeadLetters(KafkaConnection.of(stack.kafkaBootstrapServers()), TOPIC, true);
        KafkaTopics.produce(KafkaConnection.of(stack.kafkaBootstrapServers()), TOPIC, corpus.stream(), "_id");

        err.println("== 3/4 running the job (bounded) into index " + INDEX);
        Configuration conf = RunCommand.boundedJob(stack, TOPIC, INDEX, model.folder.toString());
        conf.setString(JobOptions.GROUP_ID.key(), "neural-sparse-demo-" + System.currentTimeMillis());
        conf.setString(JobOptions.DEVICE.key(), args.get("device", "cpu"));
        RunCommand.runJob(conf, err);

        err.println("== 4/4 sample queries");
        search(stack.opensearchUrl(), model, out);
        if (model.random) {
            out.println("NOTE: these hits come from a RANDOM-WEIGHT model (the real one could not be downloaded): the"
                    + " plumbing is real, the ranking is meaningless.");
        }
        return 0;
    }

    private record ModelChoice(Path folder, boolean random) {}

    private static ModelChoice model(String ref, List<String> corpus, PrintStream err) throws Exception {
        try {
            return new ModelChoice(ModelResolver.builder().setTimeout(Duration.ofSeconds(15)).build().resolve(ref), false);
        } catch (ModelLoadException e) {
            err.println();
            err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
            err.println("!! The model " + ref + " cannot be loaded:");
            err.println("!!   " + e.getMessage());
            err.println("!! Going on with a small SEEDED RANDOM-WEIGHT DistilBERT of the same architecture:");
            err.println("!! every part of the pipeline runs for real, but the vectors and hits mean NOTHING.");
            err.println("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
            err.println();
            Path dir = Corpora.cacheDir().resolve("demo-random-distilbert");
            if (!Files.isRegularFile(dir.resolve("model.safetensors"))) {
                new RandomDistilBert(64, 2, 4, 256).write(dir, BundledVocabulary.tokenizerJson(),
                        BundledVocabulary.idfJson(), 42, corpus.subList(0, Math.min(16, corpus.size())));
            }
            return new ModelChoice(dir, true);
        }
    }

    /** JSON lines of the corpus: the shared CACM when present, else the bundled sample. */
    private static List<String> corpus(int max, PrintStream err) throws Exception {
        Path shared = Corpora.shared().resolve("data/cacm/corpus.jsonl");
        List<String> lines = new ArrayList<>();
        BufferedReader reader = Files.isRegularFile(shared)
                ? Files.newBufferedReader(shared)
                : new BufferedReader(new InputStreamReader(
                        DemoCommand.class.getResourceAsStream("/cacm-sample.jsonl"), StandardCharsets.UTF_8));
        err.println("corpus: " + (Files.isRegularFile(shared) ? shared : "the bundled CACM sample"));
        try (reader) {
            for (String line; lines.size() < max && (line = reader.readLine()) != null; ) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    private static void search(String url, ModelChoice model, PrintStream out) throws Exception {
        IdfTable idf = IdfTable.read(model.folder.resolve("idf.json"));
        ObjectMapper json = new ObjectMapper();
        OpenSearchConnection opensearch = OpenSearchConnection.of(url);
        HttpClient http = opensearch.newHttpClient(Duration.ofSeconds(10));
        http.send(opensearch.authorize(HttpRequest.newBuilder(opensearch.uri(INDEX + "/_refresh")))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        try (QueryEncoder queries = QueryEncoder.open(model.folder, QueryEncoder.DEFAULT_MISSING_WEIGHT)) {
            for (String q : QUERIES) {
                Map<String, Float> vector = queries.encode(q, idf).toTokenMap(queries.vocabulary());
                String body = SparseQueryBuilder.rankFeatures(JobOptions.OUTPUT_FIELD.defaultValue(), vector, 5).toString();
                HttpResponse<String> r = http.send(opensearch.authorize(HttpRequest.newBuilder(opensearch.uri(INDEX + "/_search")))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                out.println();
                out.println("query: " + q + "   (" + vector.size() + " tokens)");
                for (JsonNode hit : json.readTree(r.body()).path("hits").path("hits")) {
                    out.printf("  %8.4f  %-10s %s%n", hit.get("_score").asDouble(), hit.get("_id").asText(),
                            hit.path("_source").path("title").asText());
                }
            }
        }
    }
}
