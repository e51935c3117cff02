package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.neuralsparse.encoder.BatchingEncoder;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.Pruning;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.flink.EncoderFactory;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.flink.KafkaConnection;
import dev.neuralsparse.flink.OpenSearchConnection;
import dev.neuralsparse.flink.SharedEncoders;
import dev.neuralsparse.job.pipeline.Connections;
import dev.neuralsparse.job.pipeline.EnrichmentJob;
import dev.neuralsparse.job.pipeline.JobOptions;
import dev.neuralsparse.job.stack.LocalStack;
import dev.neuralsparse.job.stack.StackLock;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
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
                "                                    [--prune TYPE:RATIO] [--parallelism N] [--host-path-only]",
                "                                    [--rounds N] [--ids-in-key] [--refresh-interval T]",
                "                                    [stack options]",
                "",
                "Brings the local stack up, takes a BEIR corpus (--copies times, with distinct ids), and",
                "measures at two sizes (one copy, all copies) (a) the encoder alone and (b) the job, bounded,",
                "from Kafka to OpenSearch: their marginal rates (extra documents over extra seconds, so",
                "start-up and model load drop out) and the ratio of the two, the cost of the pipeline around",
                "the model. Also (c) a raw bulk load of the pre-encoded documents with the job's requests, and",
                "(d) the job with each forward pass replayed from the vectors of (a): it runs at the speed of its",
                "host path, whose CPU per document by stage it prints (thread clocks). Each side first runs",
                "untimed on " + WARM_UP_DOCS + " documents (d: on the large size: its first rounds on the small one",
                "still ran slower, while the JIT compiled), so that class loading and the JIT fall on neither size.",
                "Each job's topic and index, and the raw load's index, are deleted once counted; at its start,",
                "the bench deletes those an interrupted run left (topics and indexes named bench-job-*, bench-raw-*),",
                "so it runs alone on its stack: a second bench-pipeline on the same stack directory fails at once.",
                "",
                "  --model DIR        default ../shared/models/tiny-distilbert",
                "  --corpus FILE      BEIR corpus.jsonl[.gz] (default ../shared/data/cacm/corpus.jsonl)",
                "  --docs N           its first N documents (default all)",
                "  --copies N         corpus copies of the large size (default 3, at least 2)",
                "  --prune TYPE:RATIO the job's --prune, on both sides (default none); top_k:400 gives vectors the",
                "                     few hundred weights of real document models (the tiny model's are denser)",
                "  --parallelism N    job parallelism (default 1)",
                "  --host-path-only   (d) alone: the corpus is encoded once, untimed, for its vectors (kept in the",
                "                     cache for the next run with the same model folder, pruning and texts)",
                "  --rounds N         (d) N times, both sizes each time; its figures are the medians of the rounds",
                "                     (default 1): on a shared machine one round's figures move by a third",
                "  --ids-in-key       each document's id is its record's key, not a field of its value (BEIR's",
                "                     _id): the job then indexes the value as it is, without writing it again",
                "  --refresh-interval T  of the indexes the jobs create (default the job's, 1s). 30s, as bulk",
                "                     loads are often set, takes some of OpenSearch's work (refreshes, merges) off",
                "                     the cores the job shares with it on one machine, where it inflates the job's",
                "                     own figures; the progress lines then count what the last refresh showed");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, StackCommand.withStackOptions("model", "corpus", "docs", "copies", "prune",
                "parallelism", "rounds", "refresh-interval"), Set.of("host-path-only", "ids-in-key"));
        LocalStack stack = StackCommand.stack(args);
        // Before the stack starts: two runs starting at once would also both start it.
        try (StackLock lock = StackLock.acquire(stack.dir(), name())) {
            stack.up();
            dropLeftovers(stack, err);
            return measure(args, stack, out, err);
        }
    }

    private static int measure(CliArgs args, LocalStack stack, PrintStream out, PrintStream err) throws Exception {
        int copies = args.getInt("copies", 3);
        if (copies < 2) {
            throw new CliArgs.UsageException("--copies must be at least 2: the marginal rates take the difference of two sizes");
        }
        Path corpus = Path.of(args.get("corpus", Corpora.shared().resolve("data/cacm/corpus.jsonl").toString()));
        List<ObjectNode> docs = documents(corpus, args.getInt("docs", Integer.MAX_VALUE), copies);
        List<ObjectNode> small = docs.subList(0, docs.size() / copies);
        Runs runs = new Runs(stack, args, Long.toString(System.currentTimeMillis()), err);
        boolean hostPathOnly = args.has("host-path-only");

        EncoderAlone alone = encoderAlone(runs, docs, small, !hostPathOnly);
        out.printf(Locale.ROOT, "corpus: %s, %d documents x %d, %.1f non-zero weights per document%n", corpus,
                small.size(), copies, alone.weightsPerDocument());
        JobRun smallRun = null;
        JobRun largeRun = null;
        if (!hostPathOnly) {
            out.printf(Locale.ROOT, "encoder alone: %d docs in %.2f s, %d in %.2f s: marginal %.1f docs/s%n",
                    small.size(), alone.smallSeconds(), docs.size(), alone.largeSeconds(), alone.marginal(docs.size() - small.size()));
            double raw = rawBulk(stack, alone.bulkLines(), runs.id(), out);
            // The first job in this JVM pays class loading and the JIT for every stage: a short one
            // first, so that the small and large runs differ only in their documents.
            EncoderFactory model = EncoderFactory.sparseEncoder();
            runs.job(model, small.subList(0, Math.min(WARM_UP_DOCS, small.size())), "-w");
            smallRun = runs.job(model, small, "-s");
            largeRun = runs.job(model, docs, "-l");
            double jobMarginal = (docs.size() - small.size()) / (largeRun.seconds() - smallRun.seconds());
            out.printf(Locale.ROOT, "job (Kafka -> parse -> encode -> OpenSearch): %d docs in %.2f s, %d in %.2f s:"
                    + " marginal %.1f docs/s%n", small.size(), smallRun.seconds(), docs.size(), largeRun.seconds(), jobMarginal);
            out.printf(Locale.ROOT, "ratio job / encoder alone (marginal rates, start-up excluded): %.2f%n",
                    jobMarginal / alone.marginal(docs.size() - small.size()));
            out.printf(Locale.ROOT, "ratio job / raw bulk: %.2f%n", docs.size() / largeRun.seconds() / raw);
        }

        // The same job with each forward pass replayed from the encoder's vectors: it runs at the
        // speed of its host path, so that each stage's CPU per document is not swamped by the
        // per-second costs of a job held to a CPU forward's tens of documents a second.
        ReplayedForward replay = ReplayedForward.INSTANCE;
        List<JobRun[]> replays = new ArrayList<>();
        // Its encoder stays loaded from job to job, as for the slots of one TaskManager: loading
        // the model in each job was CPU on its task thread that moved from run to run by enough to
        // move the marginal figures by tens of microseconds a document.
        BatchingEncoder pinned = runs.acquireEncoder(replay);
        AtomicLong pinnedDocuments = new AtomicLong();
        BatchingEncoder.BatchListener counter = (documents, tokens, padded, nanos) -> pinnedDocuments.addAndGet(documents);
        pinned.addListener(counter);
        try {
            runs.job(replay, docs, "-rw"); // the large size: after the small one, the JIT still slowed the first round
            if (pinnedDocuments.get() == 0) { // the jobs asked for another spec: each would load the model again
                throw new IllegalStateException("bench-pipeline: the replayed job did not use the encoder the bench holds for it");
            }
            for (int round = 1; round <= args.getInt("rounds", 1); round++) {
                JobRun smallReplay = runs.job(replay, small, "-rs" + round);
                JobRun largeReplay = runs.job(replay, docs, "-rl" + round);
                replays.add(new JobRun[] {smallReplay, largeReplay});
                out.printf(Locale.ROOT, "job, forward replayed (host path only), round %d: %d docs in %.2f s, %d in %.2f s:"
                        + " marginal %.1f docs/s; host path %.1f us/doc at the margin%n", round, small.size(),
                        smallReplay.seconds(), docs.size(), largeReplay.seconds(),
                        (docs.size() - small.size()) / (largeReplay.seconds() - smallReplay.seconds()),
                        largeReplay.hostPathMarginal(smallReplay, docs.size() - small.size()));
            }
        } finally {
            pinned.removeListener(counter);
            SharedEncoders.release(pinned);
        }
        printCpu(out, smallRun, largeRun, replays, small.size(), docs.size());
        return 0;
    }

    /**
     * Per stage, two views of each job: per document of the large run with its start-up (an upper
     * bound), and the difference of the two runs per extra document (start-up left out); of the
     * replayed job, the median of its rounds.
     */
    private static void printCpu(PrintStream out, JobRun smallRun, JobRun largeRun, List<JobRun[]> replays, int smallDocs,
            int docs) {
        out.printf(Locale.ROOT, "CPU per document inside the job, by thread, microseconds: the %d-doc run with its start-up,"
                + " then marginal (over the %d-doc run); with the model, then with the forward replayed%s%n", docs, smallDocs,
                replays.size() > 1 ? " (medians of its " + replays.size() + " rounds)" : "");
        JobRun largeReplay = replays.get(0)[1];
        for (String stage : largeReplay.cpuNanos().keySet()) {
            out.printf(Locale.ROOT, "  %-64s %8s %8s %8.1f %8.1f%n", stage,
                    largeRun == null ? "-" : format(largeRun.perDocument(stage, docs)),
                    largeRun == null ? "-" : format(largeRun.marginal(smallRun, stage, docs - smallDocs)),
                    median(replays, r -> r[1].perDocument(stage, docs)),
                    median(replays, r -> r[1].marginal(r[0], stage, docs - smallDocs)));
        }
        out.printf(Locale.ROOT, "  %-64s %8s %8s %8.1f %8.1f%n", "host path (the stages above but the rest; replayed, the device thread only batches)",
                "", "", median(replays, r -> r[1].hostPath(docs)), median(replays, r -> r[1].hostPathMarginal(r[0], docs - smallDocs)));
        for (JobRun run : largeRun == null ? List.of(largeReplay) : List.of(largeRun, largeReplay)) {
            run.largestOthers().forEach((thread, nanos) -> out.printf(Locale.ROOT, "    of the rest%s: %-42s %8.1f%n",
                    run == largeRun ? ", with the model" : ", replayed (first round)", thread, nanos / 1e3 / docs));
        }
        out.printf(Locale.ROOT, "CPU of the local servers on the same cores during the large runs (not the job's), microseconds:%n");
        largeReplay.serverCpuNanos().keySet().forEach(server -> out.printf(Locale.ROOT, "  %-64s %8s %8s %8.1f%n", server,
                largeRun == null ? "-" : format(largeRun.serverCpuNanos().get(server) / 1e3 / docs), "",
                median(replays, r -> r[1].serverCpuNanos().get(server) / 1e3 / docs)));
    }

    /** The median of a figure over the rounds (of an even number, the mean of the middle two). */
    private static double median(List<JobRun[]> rounds, ToDoubleFunction<JobRun[]> figure) {
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String format(double micros) {
        return String.format(Locale.ROOT, "%.1f", micros);
    }

    /** The encoder alone: its seconds for both sizes and the bulk lines of all documents (when timed), their vectors. */
    private record EncoderAlone(double smallSeconds, double largeSeconds, List<SparseVector> vectors, List<String> bulkLines) {
        double marginal(int extraDocs) {
            return extraDocs / (largeSeconds - smallSeconds);
        }

        double weightsPerDocument() {
            return vectors.stream().mapToInt(SparseVector::size).average().orElse(0);
        }
    }

    /**
     * One JVM, model loaded once: the difference of two sizes is its marginal rate. Its vectors
     * are recorded for {@link ReplayedForward}; untimed, the corpus is encoded once, not twice.
     */
    private static EncoderAlone encoderAlone(Runs runs, List<ObjectNode> docs, List<ObjectNode> small, boolean timed)
            throws Exception {
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder().setModel(runs.model())
                .setPruning(Pruning.parse(runs.args.get("prune", "none"))).build())) {
            List<String> smallTexts = texts(small);
            List<String> allTexts = texts(docs);
            double s1 = 0;
            double s2 = 0;
            List<SparseVector> encoded;
            if (timed) {
                encoder.encode(smallTexts.subList(0, Math.min(WARM_UP_DOCS, smallTexts.size()))); // JIT and allocator warm
                s1 = seconds(() -> encoder.encode(smallTexts));
                long t0 = System.nanoTime(); // as seconds() does, keeping the vectors
                encoded = encoder.encode(allTexts);
                s2 = (System.nanoTime() - t0) / 1e9;
            } else { // the copies share their texts: encoded once each, or read from an earlier run's
                encoded = recorded(runs, encoder, smallTexts);
            }
            List<SparseVector> all = new ArrayList<>();
            while (all.size() < docs.size()) {
                all.addAll(encoded.subList(0, Math.min(encoded.size(), docs.size() - all.size())));
            }
            ReplayedForward.record(encoder, smallTexts, all.subList(0, smallTexts.size())); // the copies' texts are these
            return new EncoderAlone(s1, s2, all, timed ? bulkLines(encoder, docs, all, "bench-raw-" + runs.id()) : List.of());
        }
    }

    /** The vectors of {@code texts}, from an earlier run with the same model, pruning and texts, else encoded now and kept. */
    private static List<SparseVector> recorded(Runs runs, SparseEncoder encoder, List<String> texts) throws Exception {
        RecordedVectors recorded = RecordedVectors.of(Corpora.cacheDir(), Path.of(runs.model()), runs.args.get("prune", "none"), texts);
        List<SparseVector> vectors = recorded == null ? null : recorded.load();
        if (vectors != null) {
            runs.err().println("bench-pipeline: the replayed vectors are those of an earlier run: " + recorded);
            return vectors;
        }
        vectors = encoder.encode(texts);
        if (recorded != null) {
            recorded.save(vectors);
        }
        return vectors;
    }

    /**
     * Deletes the topics and indexes of earlier runs: each run deletes its own, but one that was
     * interrupted (Ctrl-C, a crash) left those of the job it was running, gigabytes at times.
     */
    private static void dropLeftovers(LocalStack stack, PrintStream err) throws Exception {
        List<String> topics = KafkaTopics.deleteStartingWith(KafkaConnection.of(stack.kafkaBootstrapServers()), "bench-job-");
        List<String> indexes = OpenSearchIndexes.deleteMatching(OpenSearchConnection.of(stack.opensearchUrl()),
                "bench-job-*,bench-raw-*");
        if (!topics.isEmpty() || !indexes.isEmpty()) {
            err.println("deleted what an interrupted run left: topics " + topics + ", indexes " + indexes);
        }
    }

    /** (c): the pre-encoded documents bulk-loaded straight into OpenSearch; its docs/s. */
    private static double rawBulk(LocalStack stack, List<String> bulkLines, String run, PrintStream out) throws Exception {
        new IndexSetup(stack.opensearchUrl(), Duration.ofSeconds(30)).ensure("bench-raw-" + run, "sparse_embedding",
                IndexSetup.Settings.defaults());
        Duration opensearchBefore = serverCpu(stack.opensearchProcess());
        OpenSearchConnection opensearch = OpenSearchConnection.of(stack.opensearchUrl()); // the local stack: plain HTTP
        double raw = bulkLines.size() / bulk(opensearch, bulkLines);
        OpenSearchIndexes.delete(opensearch, "bench-raw-" + run);
        out.printf(Locale.ROOT, "raw bulk (pre-encoded, 500 index requests per bulk): %d docs = %.1f docs/s;"
                + " OpenSearch's CPU %.1f us/doc%n", bulkLines.size(), raw,
                serverCpu(stack.opensearchProcess()).minus(opensearchBefore).toNanos() / 1e3 / bulkLines.size());
        return raw;
    }

    /** A job's wall seconds (start-up included), its threads' CPU per stage, and the local servers' CPU meanwhile. */
    private record JobRun(double seconds, Map<String, Long> cpuNanos, Map<String, Long> largestOthers,
            Map<String, Long> serverCpuNanos) {
        double perDocument(String stage, int docs) {
            return cpuNanos.get(stage) / 1e3 / docs;
        }

        /** Extra CPU of this run over {@code smaller} per extra document. */
        double marginal(JobRun smaller, String stage, int extraDocs) {
            return (cpuNanos.get(stage) - smaller.cpuNanos.get(stage)) / 1e3 / extraDocs;
        }

        /** The host path of a replayed run: every stage but "the rest" (its device thread runs no forward). */
        double hostPath(int docs) {
            return hostStages().mapToDouble(s -> perDocument(s, docs)).sum();
        }

        double hostPathMarginal(JobRun smaller, int extraDocs) {
            return hostStages().mapToDouble(s -> marginal(smaller, s, extraDocs)).sum();
        }

        private Stream<String> hostStages() {
            return cpuNanos.keySet().stream()
                    .filter(s -> !s.equals(ThreadCpuSampler.OTHER));
        }
    }

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

    /** What every job of one run shares: the stack, the options, the run's id (in topic and index names). */
    private record Runs(LocalStack stack, CliArgs args, String id, PrintStream err) {
        String model() {
            return args.get("model", Corpora.shared().resolve("models/tiny-distilbert").toString());
        }

        /** The encoder the jobs' operators share: held, it stays loaded between jobs; release it after them. */
        BatchingEncoder acquireEncoder(EncoderFactory encoders) {
            Configuration conf = conf("bench-job-" + id);
            return SharedEncoders.acquire(new EnrichmentJob(conf).encoderSpec(), encoders, conf.get(JobOptions.MAX_WAIT),
                    conf.get(JobOptions.TOKENIZER_THREADS));
        }

        private Configuration conf(String topic) {
            Configuration conf = RunCommand.boundedJob(stack, topic, topic, model());
            conf.setString(JobOptions.PARALLELISM.key(), Integer.toString(args.getInt("parallelism", 1)));
            conf.setString(JobOptions.PRUNE.key(), args.get("prune", "none"));
            conf.setString(JobOptions.REFRESH_INTERVAL.key(), args.get("refresh-interval", JobOptions.REFRESH_INTERVAL.defaultValue()));
            return conf;
        }

        /**
         * A bounded job over {@code docs}, its encoder opened by {@code encoders}, checking that all
         * were indexed. Its topic and index are deleted afterwards: a run of five rounds over
         * SciFact writes gigabytes to each, and the stack's disk filled after a few dozen runs.
         */
        JobRun job(EncoderFactory encoders, List<ObjectNode> docs, String suffix) throws Exception {
            String topic = "bench-job-" + id + suffix;
            KafkaConnection connection = KafkaConnection.of(stack.kafkaBootstrapServers());
            KafkaTopics.createWithDeadLetters(connection, topic, false);
            Exception failure = null;
            try {
                return run(encoders, docs, connection, topic);
            } catch (Exception e) {
                failure = e;
                throw e;
            } finally {
                drop(connection, topic, failure);
            }
        }

        /** Deletes the job's index and topics; if that fails after the job failed, the job's error is the one thrown. */
        private void drop(KafkaConnection connection, String topic, Exception jobFailure) throws Exception {
            try {
                OpenSearchIndexes.delete(OpenSearchConnection.of(stack.opensearchUrl()), topic);
                KafkaTopics.deleteWithDeadLetters(connection, topic);
            } catch (Exception e) {
                if (jobFailure == null) {
                    throw e;
                }
                jobFailure.addSuppressed(e);
            }
        }

        /** The job over {@code docs} from {@code topic} into the index of the same name. */
        private JobRun run(EncoderFactory encoders, List<ObjectNode> docs, KafkaConnection connection, String topic)
                throws Exception {
            if (args.has("ids-in-key")) {
                KafkaTopics.produceKeyed(connection, topic, docs.stream().map(BenchPipelineCommand::keyedById));
            } else {
                KafkaTopics.produce(connection, topic, docs.stream().map(ObjectNode::toString), "_id");
            }
            Configuration conf = conf(topic);
            ThreadCpuSampler cpu = new ThreadCpuSampler();
            Duration opensearch = serverCpu(stack.opensearchProcess());
            Duration kafka = serverCpu(stack.kafkaProcess());
            double seconds;
            Map<String, Long> cpuNanos;
            Map<String, Long> largestOthers;
            try {
                seconds = seconds(() -> RunCommand.runJob(conf, err, encoders));
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

    /** The document's _id, and the document without it. */
    private static Map.Entry<String, String> keyedById(ObjectNode doc) {
        ObjectNode value = doc.deepCopy();
        return Map.entry(value.remove("_id").asText(), value.toString());
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

    private static double bulk(OpenSearchConnection opensearch, List<String> lines) throws Exception {
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
