package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.KafkaConnection;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.flink.OpenSearchConnection;
import dev.neuralsparse.job.pipeline.Connections;
import dev.neuralsparse.job.pipeline.JobOptions;
import dev.neuralsparse.job.stack.LocalStack;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;

/**
 * {@code neural-sparse bench-pipeline}: is the pipeline around the model a bottleneck? In one run,
 * the same documents are (a) pre-encoded and bulk-loaded into OpenSearch directly, then (b) sent
 * through Kafka and the job into another index; the ratio of (b) to (a) is the figure.
 */
final class BenchPipelineCommand implements Command {
    @Override
    public String name() {
        return "bench-pipeline";
    }

    @Override
    public String summary() {
        return "end-to-end docs/s of Kafka -> job -> OpenSearch against a raw bulk load, same run";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse bench-pipeline [--model DIR] [--copies N] [--parallelism N] [stack options]",
                "",
                "Brings the local stack up, takes the CACM corpus (--copies times, with distinct ids), and",
                "measures (a) a raw bulk load of the documents pre-encoded by the same encoder (encoding not",
                "timed), with the same bulk size and versioned index requests as the job, and (b) the job, bounded, from Kafka",
                "to OpenSearch with encoding included. Prints both rates and their ratio.",
                "",
                "  --model DIR        default ../shared/models/tiny-distilbert",
                "  --copies N         corpus copies (default 2)",
                "  --parallelism N    job parallelism (default 1)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, StackCommand.withStackOptions("model", "copies", "parallelism"), Set.of());
        LocalStack stack = StackCommand.stack(args);
        stack.up();
        String model = args.get("model", Corpora.shared().resolve("models/tiny-distilbert").toString());
        List<ObjectNode> docs = documents(args.getInt("copies", 2));
        String run = Long.toString(System.currentTimeMillis());

        long e0 = System.nanoTime();
        List<String> bulkLines = preEncode(model, docs, "bench-raw-" + run);
        double encodeSeconds = (System.nanoTime() - e0) / 1e9;
        double encoder = docs.size() / encodeSeconds;
        out.printf(Locale.ROOT, "encoder alone (model load included, this JVM): %d docs in %.2f s = %.1f docs/s%n",
                docs.size(), encodeSeconds, encoder);
        new IndexSetup(stack.opensearchUrl(), Duration.ofSeconds(30)).ensure("bench-raw-" + run, "sparse_embedding",
                IndexSetup.Settings.defaults());
        double rawSeconds = bulk(stack.opensearchUrl(), bulkLines);
        double raw = docs.size() / rawSeconds;
        out.printf(Locale.ROOT, "raw bulk (pre-encoded, 500 index requests per bulk): %d docs in %.2f s = %.1f docs/s%n",
                docs.size(), rawSeconds, raw);

        String topic = "bench-job-" + run;
        KafkaTopics.createWithDeadLetters(KafkaConnection.of(stack.kafkaBootstrapServers()), topic, false);
        KafkaTopics.produce(KafkaConnection.of(stack.kafkaBootstrapServers()), topic, docs.stream().map(ObjectNode::toString), "_id");
        Configuration conf = RunCommand.boundedJob(stack, topic, topic, model);
        conf.setString("parallelism", Integer.toString(args.getInt("parallelism", 1)));
        long t0 = System.nanoTime();
        RunCommand.runJob(conf, err);
        double jobSeconds = (System.nanoTime() - t0) / 1e9;
        long indexed = new IndexCount(Connections.opensearch(conf), conf.get(JobOptions.INDEX)).get(true);
        double job = indexed / jobSeconds;
        out.printf(Locale.ROOT, "job (Kafka -> parse -> encode -> OpenSearch, start-up included): %d docs in %.2f s = %.1f docs/s%n",
                indexed, jobSeconds, job);
        out.printf(Locale.ROOT, "ratio job / raw bulk: %.2f%n", job / raw);
        // On a machine where the encoder and OpenSearch share the cores, their costs add up: the
        // best a pipeline that adds nothing could do is one document through both, one after the other.
        double serial = 1 / (1 / raw + 1 / encoder);
        out.printf(Locale.ROOT, "ratio job / (encoder then bulk, no pipeline): %.2f (bound %.1f docs/s)%n", job / serial, serial);
        return indexed == docs.size() ? 0 : 1;
    }

    private static List<ObjectNode> documents(int copies) throws Exception {
        Path corpus = Corpora.shared().resolve("data/cacm/corpus.jsonl");
        if (!Files.isRegularFile(corpus)) {
            throw new CliArgs.UsageException("bench-pipeline needs " + corpus);
        }
        ObjectMapper json = new ObjectMapper();
        List<ObjectNode> docs = new ArrayList<>();
        List<String> lines = Files.readAllLines(corpus);
        for (int c = 0; c < copies; c++) {
            for (String line : lines) {
                ObjectNode d = (ObjectNode) json.readTree(line);
                d.put("_id", d.get("_id").asText() + "-" + c);
                docs.add(d);
            }
        }
        return docs;
    }

    /** The bulk body lines (action + partial document with its vector) for each document. */
    private static List<String> preEncode(String model, List<ObjectNode> docs, String index) {
        List<String> texts = new ArrayList<>();
        for (ObjectNode d : docs) {
            texts.add((d.path("title").asText() + " " + d.path("text").asText()).strip());
        }
        List<String> lines = new ArrayList<>();
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(model).build())) {
            List<SparseVector> vectors = encoder.encode(texts);
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < docs.size(); i++) {
                ObjectNode source = docs.get(i).deepCopy();
                String id = source.remove("_id").asText();
                ObjectNode v = source.putObject("sparse_embedding");
                for (Map.Entry<String, Float> e : vectors.get(i).toTokenMap(encoder.vocabulary()).entrySet()) {
                    v.put(e.getKey(), e.getValue());
                }
                // The job's request: the whole document, versioned (external_gte) as its writes are.
                ObjectNode action = json.createObjectNode();
                action.putObject("index").put("_index", index).put("_id", id)
                        .put("version", i).put("version_type", "external_gte");
                lines.add(action + "\n" + source + "\n");
            }
        }
        return lines;
    }

    private static double bulk(String url, List<String> lines) throws Exception {
        OpenSearchConnection opensearch = OpenSearchConnection.of(url); // the local stack: plain HTTP
        HttpClient http = opensearch.newHttpClient(Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        for (int i = 0; i < lines.size(); i += 500) {
            String body = String.join("", lines.subList(i, Math.min(lines.size(), i + 500)));
            HttpResponse<String> r = http.send(opensearch.authorize(HttpRequest.newBuilder(opensearch.uri("_bulk")))
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 || r.body().contains("\"errors\":true")) {
                throw new IllegalStateException("bulk failed: " + r.body().substring(0, Math.min(500, r.body().length())));
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
