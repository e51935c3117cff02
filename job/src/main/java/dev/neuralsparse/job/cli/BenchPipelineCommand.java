package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.Pruning;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.flink.KafkaConnection;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;

/**
 * {@code neural-sparse bench-pipeline}: is the pipeline around the model a bottleneck? In one run,
 * the same documents are (a) pre-encoded and bulk-loaded into OpenSearch directly, then (b) sent
 * through Kafka and the job into another index; the ratio of (b) to (a) is the figure.
 */
final class BenchPipelineCommand implements Command {
    /** Documents of the untimed first pass of each side (encoder alone, job). */
    private static final int WARM_UP_DOCS = 300;

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
                "Usage: neural-sparse bench-pipeline [--model DIR] [--corpus FILE] [--docs N] [--copies N]",
                "                                    [--prune TYPE:RATIO] [--parallelism N] [stack options]",
                "",
                "Brings the local stack up, takes a BEIR corpus (--copies times, with distinct ids), and",
                "measures at two sizes (one copy, all copies) (a) the encoder alone and (b) the job, bounded,",
                "from Kafka to OpenSearch: their marginal rates (extra documents over extra seconds, so",
                "start-up and model load drop out) and the ratio of the two, the cost of the pipeline around",
                "the model. Also (c) a raw bulk load of the pre-encoded documents with the job's requests.",
                "Each side first runs untimed on " + WARM_UP_DOCS + " documents, so that class loading and the JIT",
                "fall on neither size.",
                "",
                "  --model DIR        default ../shared/models/tiny-distilbert",
                "  --corpus FILE      BEIR corpus.jsonl[.gz] (default ../shared/data/cacm/corpus.jsonl)",
                "  --docs N           its first N documents (default all)",
                "  --copies N         corpus copies of the large size (default 3, at least 2)",
                "  --prune TYPE:RATIO the job's --prune, on both sides (default none); top_k:400 gives vectors the",
                "                     few hundred weights of real document models (the tiny model's are denser)",
                "  --parallelism N    job parallelism (default 1)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, StackCommand.withStackOptions("model", "corpus", "docs", "copies", "prune", "parallelism"), Set.of());
        LocalStack stack = StackCommand.stack(args);
        stack.up();
        String model = args.get("model", Corpora.shared().resolve("models/tiny-distilbert").toString());
        int copies = args.getInt("copies", 3);
        if (copies < 2) {
            throw new CliArgs.UsageException("--copies must be at least 2: the marginal rates take the difference of two sizes");
        }
        Path corpus = Path.of(args.get("corpus", Corpora.shared().resolve("data/cacm/corpus.jsonl").toString()));
        List<ObjectNode> docs = documents(corpus, args.getInt("docs", Integer.MAX_VALUE), copies);
        List<ObjectNode> small = docs.subList(0, docs.size() / copies);
        String run = Long.toString(System.currentTimeMillis());
        String prune = args.get("prune", "none");

        // The encoder alone, one JVM, model loaded once: the difference of two sizes is its marginal rate.
        List<String> bulkLines;
        double encoderMarginal;
        try (SparseEncoder encoder = SparseEncoder.open(
                EncoderSpec.builder().setModel(model).setPruning(Pruning.parse(prune)).build())) {
            List<String> smallTexts = texts(small);
            List<String> allTexts = texts(docs);
            encoder.encode(smallTexts.subList(0, Math.min(WARM_UP_DOCS, smallTexts.size()))); // JIT and allocator warm
            double s1 = seconds(() -> encoder.encode(smallTexts));
            List<List<SparseVector>> vectors = new ArrayList<>();
            double s2 = seconds(() -> vectors.add(encoder.encode(allTexts)));
            bulkLines = bulkLines(encoder, docs, vectors.get(0), "bench-raw-" + run);
            encoderMarginal = (docs.size() - small.size()) / (s2 - s1);
            out.printf(Locale.ROOT, "corpus: %s, %d documents x %d, %.1f non-zero weights per document%n", corpus,
                    small.size(), copies, vectors.get(0).stream().mapToInt(SparseVector::size).average().orElse(0));
            out.printf(Locale.ROOT, "encoder alone: %d docs in %.2f s, %d in %.2f s: marginal %.1f docs/s%n",
                    small.size(), s1, docs.size(), s2, encoderMarginal);
        }
        new IndexSetup(stack.opensearchUrl(), Duration.ofSeconds(30)).ensure("bench-raw-" + run, "sparse_embedding",
                IndexSetup.Settings.defaults());
        Duration opensearchBefore = serverCpu(stack.opensearchProcess());
        double rawSeconds = bulk(stack.opensearchUrl(), bulkLines);
        double raw = docs.size() / rawSeconds;
        out.printf(Locale.ROOT, "raw bulk (pre-encoded, 500 index requests per bulk): %d docs in %.2f s = %.1f docs/s;"
                + " OpenSearch's CPU %.1f us/doc%n", docs.size(), rawSeconds, raw,
                serverCpu(stack.opensearchProcess()).minus(opensearchBefore).toNanos() / 1e3 / docs.size());

        // The first job in this JVM pays class loading and the JIT for every stage: a short one first,
        // so that the small and large runs differ only in their documents.
        job(stack, model, small.subList(0, Math.min(WARM_UP_DOCS, small.size())), run + "-w", args, err);
        JobRun smallRun = job(stack, model, small, run + "-s", args, err);
        JobRun largeRun = job(stack, model, docs, run + "-l", args, err);
        double jobSmall = smallRun.seconds();
        double jobLarge = largeRun.seconds();
        double jobMarginal = (docs.size() - small.size()) / (jobLarge - jobSmall);
        out.printf(Locale.ROOT, "job (Kafka -> parse -> encode -> OpenSearch): %d docs in %.2f s, %d in %.2f s:"
                + " marginal %.1f docs/s%n", small.size(), jobSmall, docs.size(), jobLarge, jobMarginal);
        out.printf(Locale.ROOT, "ratio job / encoder alone (marginal rates, start-up excluded): %.2f%n",
                jobMarginal / encoderMarginal);
        out.printf(Locale.ROOT, "ratio job / raw bulk: %.2f%n", docs.size() / jobLarge / raw);
        // Two views: per document of the large run with its start-up (an upper bound), and the
        // difference of the two warm runs per extra document (start-up left out; the lightest
        // stages are then within the noise of GC and of this machine).
        out.printf(Locale.ROOT, "CPU per document inside the job, by thread, microseconds: the %d-doc run with its start-up;"
                + " marginal (extra CPU of the large run over the small one, per extra document)%n", docs.size());
        largeRun.cpuNanos().forEach((stage, nanos) -> out.printf(Locale.ROOT, "  %-64s %8.1f %8.1f%n", stage,
                nanos / 1e3 / docs.size(), (nanos - smallRun.cpuNanos().get(stage)) / 1e3 / (docs.size() - small.size())));
        largeRun.largestOthers().forEach((thread, nanos) -> out.printf(Locale.ROOT, "    of the rest: %-52s %8.1f%n",
                thread, nanos / 1e3 / docs.size()));
        out.printf(Locale.ROOT, "CPU of the local servers on the same cores during that run (not the job's), microseconds:%n");
        largeRun.serverCpuNanos().forEach((server, nanos) -> out.printf(Locale.ROOT, "  %-64s %8.1f%n", server,
                nanos / 1e3 / docs.size()));
        return 0;
    }

    /** A job's wall seconds (start-up included), its threads' CPU per stage, and the local servers' CPU meanwhile. */
    private record JobRun(double seconds, Map<String, Long> cpuNanos, Map<String, Long> largestOthers,
            Map<String, Long> serverCpuNanos) {}

    /**
     * CPU time of a server and its child processes (started by root, OpenSearch runs as another
     * user under a wrapper): on a small machine the servers share the job's cores, so their work
     * per document is part of what the job's rate pays, though not the job's own.
     */
    private static Duration serverCpu(ProcessHandle server) {
        return Stream.concat(Stream.of(server), server.descendants())
                .map(p -> p.info().totalCpuDuration().orElse(Duration.ZERO))
                .reduce(Duration.ZERO, Duration::plus);
    }

    private interface Timed {
        void run() throws Exception;
    }

    private static double seconds(Timed timed) throws Exception {
        long t0 = System.nanoTime();
        timed.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** A bounded job over {@code docs}, checking that all were indexed. */
    private static JobRun job(LocalStack stack, String model, List<ObjectNode> docs, String run, CliArgs args,
            PrintStream err) throws Exception {
        String topic = "bench-job-" + run;
        KafkaTopics.createWithDeadLetters(KafkaConnection.of(stack.kafkaBootstrapServers()), topic, false);
        KafkaTopics.produce(KafkaConnection.of(stack.kafkaBootstrapServers()), topic, docs.stream().map(ObjectNode::toString), "_id");
        Configuration conf = RunCommand.boundedJob(stack, topic, topic, model);
        conf.setString(JobOptions.PARALLELISM.key(), Integer.toString(args.getInt("parallelism", 1)));
        conf.setString(JobOptions.PRUNE.key(), args.get("prune", "none"));
        ThreadCpuSampler cpu = new ThreadCpuSampler();
        Duration opensearch = serverCpu(stack.opensearchProcess());
        Duration kafka = serverCpu(stack.kafkaProcess());
        double seconds;
        Map<String, Long> cpuNanos;
        Map<String, Long> largestOthers;
        try {
            seconds = seconds(() -> RunCommand.runJob(conf, err));
            cpuNanos = cpu.stop();
            largestOthers = cpu.largestOthers(4);
        } finally {
            cpu.close();
        }
        Map<String, Long> servers = new LinkedHashMap<>();
        servers.put("OpenSearch (indexing the writes)", serverCpu(stack.opensearchProcess()).minus(opensearch).toNanos());
        servers.put("Kafka broker", serverCpu(stack.kafkaProcess()).minus(kafka).toNanos());
        long indexed = new IndexCount(Connections.opensearch(conf), conf.get(JobOptions.INDEX)).get(true);
        if (indexed != docs.size()) {
            throw new IllegalStateException("the job indexed " + indexed + " of " + docs.size() + " documents");
        }
        return new JobRun(seconds, cpuNanos, largestOthers, servers);
    }

    private static List<ObjectNode> documents(Path corpus, int max, int copies) throws Exception {
        if (!Files.isRegularFile(corpus)) {
            throw new CliArgs.UsageException("bench-pipeline needs " + corpus + " (--corpus FILE: a BEIR corpus.jsonl[.gz])");
        }
        List<ObjectNode> original = Corpora.beirDocuments(corpus, max);
        List<ObjectNode> docs = new ArrayList<>();
        for (int c = 0; c < copies; c++) {
            for (ObjectNode d : original) {
                ObjectNode copy = d.deepCopy();
                copy.put("_id", d.get("_id").asText() + "-" + c);
                docs.add(copy);
            }
        }
        return docs;
    }

    private static List<String> texts(List<ObjectNode> docs) {
        return docs.stream().map(Corpora::beirText).toList();
    }

    /** The bulk body lines (action + document with its vector) of each document, as the job writes them. */
    private static List<String> bulkLines(SparseEncoder encoder, List<ObjectNode> docs, List<SparseVector> vectors,
            String index) {
        List<String> lines = new ArrayList<>();
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
