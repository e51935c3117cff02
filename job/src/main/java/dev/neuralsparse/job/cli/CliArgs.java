package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.flink.KafkaConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code --name value} options, {@code --flag} switches and positional words of one command, with
 * errors that name the option. Each command declares which names it knows.
 */
final class CliArgs {
    private final String command;
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    private CliArgs(String command) {
        this.command = command;
    }

    /**
     * @param valued options that take a value
     * @param flags options that take none
     */
    static CliArgs parse(String command, String[] args, Set<String> valued, Set<String> flags) {
        CliArgs parsed = new CliArgs(command);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                parsed.positionals.add(a);
                continue;
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && value == null) {
                parsed.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " of '" + command + "' needs a value");
                    }
                    value = args[++i];
                }
                parsed.options.put(name, value);
            } else {
                throw new UsageException("unknown option --" + name + " for '" + command + "'; see "
                        + "'neural-sparse " + command + " --help'");
            }
        }
        return parsed;
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    String require(String name) {
        String v = options.get(name);
        if (v == null || v.isBlank()) {
            throw new UsageException("'" + command + "' needs --" + name);
        }
        return v;
    }

    int getInt(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " of '" + command + "' must be an integer, got '" + v + "'");
        }
    }

    float getFloat(String name, float fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " of '" + command + "' must be a number, got '" + v + "'");
        }
    }

    /** The Kafka connection of {@code --kafka} and {@code --kafka-properties}, as the job builds it. */
    KafkaConnection kafka() {
        String file = get("kafka-properties", null);
        return KafkaConnection.of(get("kafka", null), file == null ? null : Path.of(file));
    }

    /** The hub resolver of {@code --model-revision} and {@code --cache-dir}. */
    ModelResolver modelResolver() {
        ModelResolver.Builder resolver = ModelResolver.builder()
                .setRevision(get("model-revision", ModelResolver.DEFAULT_REVISION));
        if (has("cache-dir")) {
            resolver.setCacheDir(Path.of(get("cache-dir", null)));
        }
        return resolver.build();
    }

    List<String> positionals() {
        return positionals;
    }

    /** A mistake in how a command was called; the CLI prints it with a hint and exits with 64. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
