package dev.neuralsparse.job.cli;

import dev.neuralsparse.job.stack.FlinkCluster;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/** {@code neural-sparse cluster up|down|status}: a standalone Flink session cluster for {@code bin/flink run}. */
final class ClusterCommand implements Command {
    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public String summary() {
        return "up|down|status of a standalone Flink 1.20 session cluster (JobManager + TaskManagers)";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse cluster up|down|status [--rest-port 8081] [--rpc-port 6123] [--slots 2]",
                "                                            [--taskmanagers 1] [--cluster-dir DIR]",
                "",
                "Starts a JobManager (StandaloneSessionClusterEntrypoint) and --taskmanagers TaskManager",
                "processes (TaskManagerRunner) with --slots slots each",
                "from deploy/flink-cluster/target/lib (Flink, log4j, and DJL in lib/ so that its natives load once",
                "per TaskManager). Then submit with the real CLI front end:",
                "  bin/flink run job/target/neural-sparse-flink.jar --topic T --dlq-topic T --index I [--bounded] ...");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("rest-port", "rpc-port", "slots", "taskmanagers", "cluster-dir"), Set.of());
        if (args.positionals().size() != 1) {
            throw new CliArgs.UsageException("cluster needs one of up, down, status");
        }
        FlinkCluster cluster = new FlinkCluster(FlinkCluster.defaultLib(),
                args.has("cluster-dir") ? Paths.get(args.get("cluster-dir", null)) : FlinkCluster.defaultDir(),
                args.getInt("rest-port", FlinkCluster.DEFAULT_REST_PORT), args.getInt("rpc-port", 6123), args.getInt("slots", 2),
                args.getInt("taskmanagers", 1), Map.of());
        switch (args.positionals().get(0)) {
            case "up":
                cluster.up(Duration.ofSeconds(120));
                cluster.status().forEach(out::println);
                out.println("Flink UI and REST: " + cluster.restUrl() + "; configuration in " + cluster.confDir());
                return 0;
            case "down":
                out.println(cluster.down() ? "stopped" : "nothing was running");
                return 0;
            case "status":
                cluster.status().forEach(out::println);
                return 0;
            default:
                throw new CliArgs.UsageException("cluster needs one of up, down, status");
        }
    }
}
