package dev.neuralsparse.job.cli;

import dev.neuralsparse.job.pipeline.JobOptions;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;

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

    /** Every option with its description and default, by group, wrapped to 100 columns. */
    static String help() {
        StringBuilder s = new StringBuilder();
        JobOptions.GROUPS.forEach((group, options) -> {
            s.append(group).append(":\n");
            for (ConfigOption<?> o : options) {
                String def = o.hasDefaultValue() ? " (default " + o.defaultValue() + ")" : "";
                String name = "  --" + o.key() + (isBoolean(o) ? "" : " V");
                s.append(name).append(" ".repeat(Math.max(1, COLUMN - name.length())))
                        .append(wrap(describe(o) + def, COLUMN, 100)).append('\n');
            }
            s.append('\n');
        });
        return s.toString().stripTrailing();
    }

    private static final int COLUMN = 34;

    /** The description as text: Flink's Description has HTML and Markdown formatters, none for a terminal. */
    static String describe(ConfigOption<?> o) {
        StringBuilder text = new StringBuilder();
        for (BlockElement block : o.description().getBlocks()) {
            if (block instanceof TextElement t) {
                text.append(t.getElements().isEmpty() ? t.getFormat() : String.format(t.getFormat(),
                        t.getElements().stream().map(e -> e instanceof TextElement te ? te.getFormat() : e.toString())
                                .toArray()));
            }
        }
        return text.toString();
    }

    private static String wrap(String text, int indent, int width) {
        StringBuilder out = new StringBuilder();
        int column = indent;
        for (String word : text.split(" ")) {
            if (column + word.length() + 1 > width && column > indent) {
                out.append('\n').append(" ".repeat(indent));
                column = indent;
            } else if (column > indent) {
                out.append(' ');
                column++;
            }
            out.append(word);
            column += word.length();
        }
        return out.toString();
    }

    private static boolean isBoolean(ConfigOption<?> o) {
        return o.hasDefaultValue() && o.defaultValue() instanceof Boolean;
    }
}
