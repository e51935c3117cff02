package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.EncoderFactory;
import dev.neuralsparse.job.pipeline.EnrichmentJob;
import dev.neuralsparse.job.pipeline.JobOptions;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Locale;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** {@code neural-sparse run}: the enrichment job in a local MiniCluster. */
final class RunCommand implements Command {
    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "the streaming job (Kafka -> encoder -> OpenSearch) in a local MiniCluster";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse run --topic T --dlq-topic T --index I [options]",
                "",
                "Runs the enrichment job in this JVM (a Flink MiniCluster): JSON documents from Kafka are",
                "encoded in batches and written to OpenSearch with a rank_features field, each record",
                "replacing its document (tombstones and --delete-field records delete it; versions keep the",
                "newest); records that cannot be indexed go to the dead-letter topic with their reason. With",
                "--bounded it stops at the offsets that were latest at start. The same options work with",
                "`flink run` on a cluster.",
                "",
                JobCommandLine.help());
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        Configuration conf = JobCommandLine.parse(name(), argv);
        runJob(conf, err);
        return 0;
    }

    /** The bounded job that demo and bench-pipeline run against a local stack: CACM-style title + text. */
    static Configuration boundedJob(dev.neuralsparse.job.stack.LocalStack stack, String topic, String index, String model) {
        return boundedJob(stack.kafkaBootstrapServers(), stack.opensearchUrl(), topic, index, model);
    }

    /** As {@link #boundedJob(dev.neuralsparse.job.stack.LocalStack, String, String, String)}, on any Kafka and OpenSearch. */
    static Configuration boundedJob(String kafka, String opensearch, String topic, String index, String model) {
        Configuration conf = new Configuration();
        conf.setString(JobOptions.KAFKA.key(), kafka);
        conf.setString(JobOptions.OPENSEARCH.key(), opensearch);
        conf.setString(JobOptions.TOPIC.key(), topic);
        conf.setString(JobOptions.DLQ_TOPIC.key(), topic + "-dlq");
        conf.setString(JobOptions.INDEX.key(), index);
        conf.setString(JobOptions.MODEL.key(), model);
        conf.setString(JobOptions.TEXT_FIELDS.key(), "title;text");
        conf.setString(JobOptions.BOUNDED.key(), "true");
        return conf;
    }

    /** Builds and runs the job; while it runs, a progress line tells how many documents are indexed. */
    static void runJob(Configuration conf, PrintStream progress) throws Exception {
        runJob(conf, progress, EncoderFactory.sparseEncoder());
    }

    /** As {@link #runJob(Configuration, PrintStream)}, with the TaskManagers' encoder opened by {@code encoders}. */
    static void runJob(Configuration conf, PrintStream progress, EncoderFactory encoders) throws Exception {
        if (!conf.contains(CheckpointingOptions.CHECKPOINTS_DIRECTORY)) {
            // Without a directory Flink keeps checkpoints in the JobManager's memory, capped at 5 MB:
            // the encoder's keyed state (a vector per document id) passes that after a few
            // thousand documents, and then every checkpoint fails.
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                    Corpora.cacheDir().resolve("checkpoints").toUri().toString());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        EnrichmentJob job = new EnrichmentJob(conf).setEncoderFactory(encoders);
        job.build(env);
        boolean indexing = conf.getOptional(JobOptions.TOPIC).isPresent();
        IndexCount count = indexing ? new IndexCount(job.opensearch(), conf.get(JobOptions.INDEX)) : null;
        Thread reporter = progressReporter(count, progress);
        if (indexing) {
            reporter.start();
        }
        try {
            env.execute(job.name());
        } finally {
            reporter.interrupt();
            reporter.join(2000);
        }
        if (indexing) {
            progress.printf(Locale.ROOT, "%nindex %s holds %d documents%n", conf.get(JobOptions.INDEX), count.get(true));
        }
    }

    private static Thread progressReporter(IndexCount count, PrintStream progress) {
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            long before = count.get(false);
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = count.get(false) - before;
                double seconds = (System.nanoTime() - start) / 1e9;
                progress.printf(Locale.ROOT, "\rindexed %d documents in %.0f s (%.1f docs/s)   ", now, seconds, now / seconds);
            }
        }, "progress");
        t.setDaemon(true);
        return t;
    }
}
