package dev.neuralsparse.job;

import dev.neuralsparse.job.cli.JobCommandLine;
import dev.neuralsparse.job.pipeline.EnrichmentJob;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The entry point of the shaded job jar for {@code flink run}: the same options as
 * {@code bin/neural-sparse run}, on whatever cluster the Flink client submits to.
 *
 * <pre>{@code
 * flink run job/target/neural-sparse-flink.jar --topic docs --dlq-topic docs-dlq --index docs --bounded
 * }</pre>
 */
public final class FlinkRunMain {
    private FlinkRunMain() {}

    public static void main(String[] args) throws Exception {
        Configuration conf = JobCommandLine.parse("flink run", args);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        EnrichmentJob job = new EnrichmentJob(conf);
        job.build(env);
        env.execute(job.name());
    }
}
