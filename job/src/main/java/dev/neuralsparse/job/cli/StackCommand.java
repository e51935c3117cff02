package dev.neuralsparse.job.cli;

import dev.neuralsparse.job.stack.LocalStack;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.util.Set;

/** {@code neural-sparse stack up|down|status}: the local Kafka broker and OpenSearch node. */
final class StackCommand implements Command {
    @Override
    public String name() {
        return "stack";
    }

    @Override
    public String summary() {
        return "up|down|status of a local Kafka (KRaft) broker and OpenSearch node, no Docker";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse stack up|down|status [options]",
                "",
                "Starts a single-node KRaft Kafka " + "broker and a single-node OpenSearch as local processes from",
                "the artifacts Maven resolved into deploy/local-stack/target (build once with",
                "mvn -q -B package -DskipTests). `up` is idempotent and waits until both are healthy;",
                "`down` stops them by their recorded PIDs. OpenSearch needs Java 21+ (found in",
                "OPENSEARCH_JAVA_HOME, JAVA_HOME or /usr/lib/jvm) and runs as `nobody` when started by root.",
                "",
                "  --kafka-port N                 (default 9092)   --kafka-controller-port N (default 9093)",
                "  --opensearch-port N            (default 9200)   --opensearch-transport-port N (default 9300)",
                "  --stack-dir DIR                data, logs and PID files (default $NEURAL_SPARSE_STACK_DIR,",
                "                                 else the cache; /var/tmp/neural-sparse/stack as root)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        CliArgs args = CliArgs.parse(name(), argv, OPTIONS, Set.of());
        if (args.positionals().size() != 1) {
            throw new CliArgs.UsageException("stack needs one of up, down, status");
        }
        LocalStack stack = stack(args);
        switch (args.positionals().get(0)) {
            case "up":
                err.println("starting Kafka and OpenSearch (data in " + stack.dir() + ") ...");
                stack.up();
                stack.status().forEach(out::println);
                return 0;
            case "down":
                out.println(stack.down() ? "stopped" : "nothing was running");
                return 0;
            case "status":
                stack.status().forEach(out::println);
                return 0;
            default:
                throw new CliArgs.UsageException("stack needs one of up, down, status; got '" + args.positionals().get(0) + "'");
        }
    }

    /** The options {@link #stack} reads, for every command that brings the stack up. */
    static final Set<String> OPTIONS = Set.of("kafka-port", "kafka-controller-port", "opensearch-port",
            "opensearch-transport-port", "stack-dir");

    /** Names plus the stack's options, for a command's parser. */
    static Set<String> withStackOptions(String... names) {
        Set<String> all = new java.util.HashSet<>(OPTIONS);
        all.addAll(Set.of(names));
        return all;
    }

    static LocalStack stack(CliArgs args) {
        LocalStack.Builder b = LocalStack.builder()
                .setKafkaPort(args.getInt("kafka-port", LocalStack.DEFAULT_KAFKA_PORT))
                .setKafkaControllerPort(args.getInt("kafka-controller-port", 9093))
                .setOpensearchPort(args.getInt("opensearch-port", LocalStack.DEFAULT_OPENSEARCH_PORT))
                .setOpensearchTransportPort(args.getInt("opensearch-transport-port", 9300));
        if (args.has("stack-dir")) {
            b.setDir(Paths.get(args.get("stack-dir", null)));
        }
        return b.build();
    }
}
