package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.ModelLoadException;
import dev.neuralsparse.flink.ClusterAccessException;
import dev.neuralsparse.job.stack.StackException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code bin/neural-sparse} entry point: dispatches to one command per first word.
 *
 * <pre>{@code
 * bin/neural-sparse encode --model ../shared/models/tiny-distilbert < docs.jsonl > vectors.jsonl
 * }</pre>
 */
public final class NeuralSparseCli {
    static final int USAGE = 64;

    private final Map<String, Command> commands = new LinkedHashMap<>();

    NeuralSparseCli() {
        for (Command c : List.of(new DemoCommand(), new RunCommand(), new EncodeCommand(), new QueryCommand(),
                new SearchCommand(), new ProduceCommand(), new ConsumeCommand(), new StackCommand(), new ClusterCommand(), new BenchCommand(),
                new BenchPipelineCommand(), new EngineCommand(), new GpuCheckCommand())) {
            commands.put(c.name(), c);
        }
    }

    public static void main(String[] args) {
        System.exit(new NeuralSparseCli().run(args, System.in, System.out, System.err));
    }

    int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            out.println(overview());
            return args.length == 0 ? USAGE : 0;
        }
        Command command = commands.get(args[0]);
        if (command == null) {
            err.println("neural-sparse: unknown command '" + args[0] + "'\n\n" + overview());
            return USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            out.println(command.help());
            return 0;
        }
        try {
            return command.run(rest, in, out, err);
        } catch (CliArgs.UsageException | IllegalArgumentException e) {
            err.println("neural-sparse " + command.name() + ": " + e.getMessage());
            return USAGE;
        } catch (ModelLoadException | ClusterAccessException | StackException e) {
            err.println("neural-sparse " + command.name() + ": " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("neural-sparse " + command.name() + " failed: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    private String overview() {
        StringBuilder s = new StringBuilder("Usage: neural-sparse COMMAND [options]   (COMMAND --help for its options)\n\nCommands:\n");
        commands.values().forEach(c -> s.append(String.format("  %-15s %s%n", c.name(), c.summary())));
        return s.toString().stripTrailing();
    }
}
