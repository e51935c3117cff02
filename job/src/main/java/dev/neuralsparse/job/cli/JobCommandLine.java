package dev.neuralsparse.job.cli;

import dev.neuralsparse.job.pipeline.JobOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** {@code --key value} (and bare {@code --flag} for booleans) into a Flink configuration of {@link JobOptions}; shared by {@code neural-sparse run} and {@code flink run}. */
public final class JobCommandLine {
    private JobCommandLine() {}

    public static Configuration parse(String command, String[] argv) {
        // Every option takes a value; booleans also stand alone (--bounded) or take one (--bounded=false).
        Set<String> valued = new HashSet<>();
        Set<String> flags = new HashSet<>();
        for (ConfigOption<?> o : JobOptions.ALL) {
            valued.add(o.key());
            if (isBoolean(o)) {
                flags.add(o.key());
            }
        }
        CliArgs args = CliArgs.parse(command, argv, valued, flags);
        Map<String, String> map = new HashMap<>();
        for (ConfigOption<?> o : JobOptions.ALL) {
            if (args.has(o.key())) {
                map.put(o.key(), args.get(o.key(), null));
            }
        }
        Configuration conf = Configuration.fromMap(map);
        for (ConfigOption<?> o : JobOptions.ALL) {
            try {
                conf.get(o); // typed conversion now, so a bad value names its option
            } catch (IllegalArgumentException e) {
                throw new CliArgs.UsageException("--" + o.key() + ": " + e.getMessage());
            }
        }
        return conf;
    }

    static String help() {
        StringBuilder s = new StringBuilder();
        for (ConfigOption<?> o : JobOptions.ALL) {
            String def = o.hasDefaultValue() ? " (default " + o.defaultValue() + ")" : "";
            s.append(String.format("  --%-20s %s%s%n", o.key() + (isBoolean(o) ? "" : " V"), o.description(), def));
        }
        return s.toString().stripTrailing();
    }

    private static boolean isBoolean(ConfigOption<?> o) {
        return o.hasDefaultValue() && o.defaultValue() instanceof Boolean;
    }
}
