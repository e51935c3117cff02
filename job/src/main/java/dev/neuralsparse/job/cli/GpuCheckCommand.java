package dev.neuralsparse.job.cli;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.DeviceSpec;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.Precision;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import dev.neuralsparse.flink.KafkaConnection;
import dev.neuralsparse.job.pipeline.Connections;
import dev.neuralsparse.job.pipeline.JobOptions;
import dev.neuralsparse.job.stack.LocalStack;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;

/**
 * {@code neural-sparse gpu-check}: what a user runs on a new GPU machine before trusting it with a
 * job. Engine and devices; parity of fp32 and fp16 on the GPU against the reference vectors of both
 * tiny models; the bench at large token budgets in fp16 with MFU; a bounded job with {@code --gpu}
 * in a MiniCluster that offers the GPU external resource. One summary line per check, exit 1 if
 * any failed. With {@code --device cpu}, the same checks on the CPU (fp32; fp16 skipped), which
 * is how the command itself is tested where there is no GPU.
 */
final class GpuCheckCommand implements Command {
    private static final List<String> MODELS = List.of("tiny-distilbert", "tiny-bert");
    private static final List<String> CHECKS = List.of("engine", "parity", "bench", "job");
    private static final int JOB_DOCUMENTS = 200;

    @Override
    public String name() {
        return "gpu-check";
    }

    @Override
    public String summary() {
        return "check a GPU machine end to end: engine, parity, bench and a job (--device cpu: the CPU side)";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse gpu-check [--device gpu|cpu] [--docs N] [--budgets N,N,...] [--only CHECKS]",
                "                               [--kafka HOST:PORT --opensearch URL] [stack options]",
                "",
                "Checks, each with one summary line (PASS, FAIL or SKIP), exit 1 if any failed:",
                "  engine   the PyTorch engine, its version and the GPUs it sees",
                "  parity   fp32 and fp16 vectors on the device against the reference vectors of",
                "           ../shared/models/tiny-distilbert and tiny-bert (fp32 within 1e-4; fp16: the 5",
                "           strongest tokens among its 10 strongest, every weight within 5e-3 + 2%)",
                "  bench    neural-sparse bench (fp16 on a GPU, fp32 on a CPU) on --docs SciFact abstracts at",
                "           each of --budgets, with MFU against the matmul peak measured in the same run",
                "  job      a bounded job of " + JOB_DOCUMENTS + " CACM documents, Kafka -> encoder -> OpenSearch,"
                        + " with --gpu in a",
                "           MiniCluster that offers Flink's GPU external resource (on a CPU: without --gpu)",
                "",
                "  --device D        gpu (default) or cpu: cpu runs the CPU side of every check",
                "  --docs N          abstracts per bench (default 4096)",
                "  --budgets N,...   token budgets of the bench (default 16384,65536,131072)",
                "  --only C,...      run only these checks (default engine,parity,bench,job)",
                "  --kafka, --opensearch   where the job check runs (default: the local stack, started)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv,
                StackCommand.withStackOptions("device", "docs", "budgets", "only", "kafka", "opensearch"), Set.of());
        String device = args.get("device", "gpu");
        if (!device.equals("gpu") && !device.equals("cpu")) {
            throw new CliArgs.UsageException("--device must be gpu or cpu, got '" + device + "'");
        }
        boolean gpu = device.equals("gpu");
        Set<String> only = new HashSet<>(Arrays.asList(args.get("only", String.join(",", CHECKS)).split(",")));
        Checks checks = new Checks(err);
        if (only.contains("engine")) {
            checks.run("engine", () -> engine(gpu));
        }
        if (only.contains("parity")) {
            for (String model : MODELS) {
                checks.run("parity fp32 " + model, () -> parity(model, device, Precision.FP32));
                if (gpu) {
                    checks.run("parity fp16 " + model, () -> parity(model, device, Precision.FP16));
                } else {
                    checks.skip("parity fp16 " + model, "fp16 needs a GPU (HalfPrecisionTest runs that path on a CPU)");
                }
            }
        }
        if (only.contains("bench")) {
            Precision precision = gpu ? Precision.FP16 : Precision.FP32;
            for (String budget : args.get("budgets", "16384,65536,131072").split(",")) {
                checks.run("bench " + precision.name().toLowerCase(Locale.ROOT) + " budget " + budget.strip(),
                        () -> bench(device, precision, Integer.parseInt(budget.strip()), args.getInt("docs", 4096), err));
            }
        }
        if (only.contains("job")) {
            checks.run("job" + (gpu ? " --gpu" : ""), () -> job(args, gpu, err));
        }
        out.println("== gpu-check summary (--device " + device + ")");
        checks.summary().forEach(out::println);
        return checks.failed() ? 1 : 0;
    }

    private static String engine(boolean gpu) {
        Engine engine = Engine.getEngine("PyTorch");
        int gpus = engine.getGpuCount();
        if (gpu && gpus == 0) {
            throw new IllegalStateException("PyTorch " + engine.getVersion() + " sees no GPU: is the CUDA build of libtorch"
                    + " in use (PYTORCH_FLAVOR, PYTORCH_LIBRARY_PATH) and a CUDA device visible (CUDA_VISIBLE_DEVICES)?");
        }
        List<String> devices = new ArrayList<>();
        for (int i = 0; i < gpus; i++) {
            devices.add("gpu(" + i + ")");
        }
        return engine.getEngineName() + " " + engine.getVersion() + ", " + gpus + " GPU(s)"
                + (devices.isEmpty() ? "" : ": " + String.join(", ", devices));
    }

    /** The device's vectors against the reference's (fp32, CPU) for every document of a fixture. */
    private static String parity(String model, String device, Precision precision) throws Exception {
        Path folder = Corpora.shared().resolve("models").resolve(model);
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> docs = new ArrayList<>();
        for (String line : Files.readAllLines(folder.resolve("expected_docs.jsonl"))) {
            if (!line.isBlank()) {
                docs.add(json.readTree(line));
            }
        }
        EncoderSpec spec = EncoderSpec.builder().setModel(folder.toString()).setDevice(DeviceSpec.parse(device))
                .setPrecision(precision).build();
        double worst = 0;
        try (SparseEncoder encoder = SparseEncoder.open(spec)) {
            List<SparseVector> vectors = encoder.encode(docs.stream().map(d -> d.get("text").asText()).toList());
            for (int i = 0; i < docs.size(); i++) {
                Map<String, Float> got = vectors.get(i).toTokenMap(encoder.vocabulary());
                Map<String, Float> expected = json.convertValue(docs.get(i).get("doc_vector"),
                        json.getTypeFactory().constructMapType(Map.class, String.class, Float.class));
                worst = Math.max(worst, compare(expected, got, precision, i));
            }
        }
        return String.format(Locale.ROOT, "%d documents, max |difference| %.2e", docs.size(), worst);
    }

    /** The largest weight difference; throws when it or the strongest tokens are out of tolerance. */
    private static double compare(Map<String, Float> expected, Map<String, Float> got, Precision precision, int doc) {
        double worst = 0;
        Set<String> tokens = new HashSet<>(expected.keySet());
        tokens.addAll(got.keySet());
        for (String token : tokens) {
            float want = expected.getOrDefault(token, 0f);
            double difference = Math.abs(got.getOrDefault(token, 0f) - want);
            double tolerance = precision == Precision.FP32 ? 1e-4 : 5e-3 + 0.02 * want;
            if (difference > tolerance) {
                throw new IllegalStateException(String.format(Locale.ROOT,
                        "document %d, token '%s': %.5f instead of %.5f (tolerance %.1e)", doc, token,
                        got.getOrDefault(token, 0f), want, tolerance));
            }
            worst = Math.max(worst, difference);
        }
        List<String> strongest = strongest(expected, 5);
        if (!strongest(got, 10).containsAll(strongest)) {
            throw new IllegalStateException("document " + doc + ": the strongest tokens " + strongest
                    + " are not all among the 10 strongest " + strongest(got, 10));
        }
        return worst;
    }

    private static List<String> strongest(Map<String, Float> vector, int n) {
        return vector.entrySet().stream().sorted(Map.Entry.<String, Float>comparingByValue().reversed()).limit(n)
                .map(Map.Entry::getKey).toList();
    }

    private static String bench(String device, Precision precision, int budget, int docs, PrintStream log) throws Exception {
        Path corpus = Corpora.shared().resolve("data/scifact/corpus.jsonl.gz");
        List<String> texts = Corpora.beirTexts(corpus, docs);
        Path model = BenchCommand.benchModel(Corpora.cacheDir().resolve("bench-doc-v2-distill-shape-seed7"), texts);
        EncoderSpec spec = EncoderSpec.builder().setModel(model.toString()).setDevice(DeviceSpec.parse(device))
                .setPrecision(precision).setTokenBudget(budget).build();
        try (SparseEncoder encoder = SparseEncoder.open(spec)) {
            BenchCommand.Result r = BenchCommand.report(encoder, spec, texts, corpus, 1, log);
            return String.format(Locale.ROOT, "%d abstracts, %.1f docs/s, MFU %.3f of %.1f GFLOP/s", texts.size(),
                    r.docsPerSecond(), r.mfu(), r.peakFlops() / 1e9);
        }
    }

    /** A bounded job of CACM documents on the given Kafka and OpenSearch, else on the local stack. */
    private static String job(CliArgs args, boolean gpu, PrintStream log) throws Exception {
        String kafka = args.get("kafka", null);
        String opensearch = args.get("opensearch", null);
        if (kafka == null || opensearch == null) {
            LocalStack stack = StackCommand.stack(args);
            stack.up();
            kafka = stack.kafkaBootstrapServers();
            opensearch = stack.opensearchUrl();
        }
        String topic = "gpu-check-" + System.currentTimeMillis();
        KafkaTopics.createWithDeadLetters(KafkaConnection.of(kafka), topic, false);
        List<String> lines = Files.readAllLines(Corpora.shared().resolve("data/cacm/corpus.jsonl"));
        KafkaTopics.produce(KafkaConnection.of(kafka), topic, lines.subList(0, JOB_DOCUMENTS).stream(), "_id");
        Configuration conf = RunCommand.boundedJob(kafka, opensearch, topic, topic,
                Corpora.shared().resolve("models/tiny-distilbert").toString());
        if (gpu) {
            conf.setString(JobOptions.GPU.key(), "true");
            conf.setString(JobOptions.DEVICE.key(), "gpu");
            conf.setString(JobOptions.PRECISION.key(), "fp16");
            // The MiniCluster's TaskManager offers one GPU, as deploy/flink/config-gpu.yaml has a cluster's.
            conf.setString("external-resources", "gpu");
            conf.setString("external-resource.gpu.amount", "1");
            conf.setString("external-resource.gpu.driver-factory.class",
                    "org.apache.flink.externalresource.gpu.GPUDriverFactory");
        }
        RunCommand.runJob(conf, log);
        long indexed = new IndexCount(Connections.opensearch(conf), topic).get(true);
        if (indexed != JOB_DOCUMENTS) {
            throw new IllegalStateException("the index holds " + indexed + " of " + JOB_DOCUMENTS + " documents");
        }
        return JOB_DOCUMENTS + " documents through Kafka -> job -> OpenSearch (topic and index " + topic + ")";
    }

    /** Runs checks one after the other, whatever fails, and keeps one line per check. */
    private static final class Checks {
        interface Check {
            String run() throws Exception;
        }

        private final PrintStream log;
        private final List<String> lines = new ArrayList<>();
        private boolean failed;

        Checks(PrintStream log) {
            this.log = log;
        }

        void run(String name, Check check) {
            log.println("== " + name);
            String line;
            try {
                line = "PASS " + name + ": " + check.run();
            } catch (Exception | LinkageError e) {
                failed = true;
                line = "FAIL " + name + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
            }
            log.println(line);
            lines.add(line);
        }

        void skip(String name, String why) {
            lines.add("SKIP " + name + ": " + why);
        }

        List<String> summary() {
            return lines;
        }

        boolean failed() {
            return failed;
        }
    }
}
