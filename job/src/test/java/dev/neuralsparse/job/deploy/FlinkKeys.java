package dev.neuralsparse.job.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ExternalResourceOptions;
import org.apache.flink.configuration.FallbackKey;

/** The configuration keys Flink 1.20 reads, gathered from its own option classes. */
final class FlinkKeys {
    private static final String[] OPTION_CLASSES = {
        "CoreOptions", "TaskManagerOptions", "JobManagerOptions", "CheckpointingOptions", "ClusterOptions",
        "RestartStrategyOptions", "StateBackendOptions", "HeartbeatManagerOptions", "RestOptions", "PipelineOptions",
        "ExecutionOptions", "DeploymentOptions", "HighAvailabilityOptions", "MetricOptions", "SecurityOptions",
        "ExternalResourceOptions", "ResourceManagerOptions", "NettyShuffleEnvironmentOptions", "WebOptions"
    };
    /** The GPU plugin's own settings: its resource name is ours; "kubernetes.config-key" is the suffix of
     * flink-kubernetes (not on this class path). */
    private static final String GPU = "gpu";

    private FlinkKeys() {}

    static Set<String> known() throws ReflectiveOperationException {
        Set<String> keys = new HashSet<>();
        for (String name : OPTION_CLASSES) {
            addOptions(Class.forName("org.apache.flink.configuration." + name), keys);
        }
        addOptions(Class.forName("org.apache.flink.streaming.api.environment.ExecutionCheckpointingOptions"), keys);
        keys.addAll(List.of(ExternalResourceOptions.getAmountConfigOptionForResource(GPU),
                ExternalResourceOptions.getExternalResourceDriverFactoryConfigOptionForResource(GPU),
                ExternalResourceOptions.getSystemConfigKeyConfigOptionForResource(GPU, "kubernetes.config-key")));
        return keys;
    }

    static boolean isRead(String key, Set<String> known) {
        return known.contains(key)
                || key.startsWith(ExternalResourceOptions.getExternalResourceParamConfigPrefixForResource(GPU));
    }

    private static void addOptions(Class<?> options, Set<String> keys) throws IllegalAccessException {
        for (Field f : options.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                keys.add(option.key());
                for (FallbackKey fallback : option.fallbackKeys()) {
                    keys.add(fallback.getKey());
                }
            }
        }
    }
}
