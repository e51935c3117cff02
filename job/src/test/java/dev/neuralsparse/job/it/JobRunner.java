package dev.neuralsparse.job.it;

import dev.neuralsparse.flink.Document;
import dev.neuralsparse.flink.EncoderFactory;
import dev.neuralsparse.job.pipeline.EnrichmentJob;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Runs the enrichment job bounded in a local MiniCluster and waits for it to finish. */
final class JobRunner {
    private JobRunner() {}

    static void runBounded(Map<String, String> options, UnaryOperator<DataStream<Document>> hook) throws Exception {
        runBounded(options, hook, EncoderFactory.sparseEncoder());
    }

    static void runBounded(Map<String, String> options, UnaryOperator<DataStream<Document>> hook, EncoderFactory encoders)
            throws Exception {
        Configuration conf = Configuration.fromMap(options);
        conf.setString("bounded", "true");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, java.time.Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        new EnrichmentJob(conf).setEncoderFactory(encoders).build(env, hook);
        env.execute("neural-sparse-it");
    }
}
