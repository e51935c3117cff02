package dev.neuralsparse.job.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A standalone Flink 1.20 session cluster on this machine: one JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and N TaskManagers ({@code TaskManagerRunner})
 * started as processes from the lib/ that {@code deploy/flink-cluster} assembles from Maven
 * Central, with JVM memory parameters derived by Flink's own {@code BashJavaUtils}, as
 * {@code taskmanager.sh} does. Jobs are submitted with the real CLI front end ({@code bin/flink}).
 */
public final class FlinkCluster {
    public static final int DEFAULT_REST_PORT = 8081;
    /** Flink 1.20's default {@code env.java.opts.all}: what its runtime needs opened on Java 17. */
    public static final String JAVA_OPENS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    /**
     * Transparent huge pages for the heap, as the deploy files set for TaskManagers: with them the
     * job's host path cost 0.85-0.93 of its CPU per document without them (BENCHMARKS.md). Linux
     * only: the JVM knows the flag nowhere else.
     */
    private static final List<String> HUGE_PAGES = System.getProperty("os.name", "").startsWith("Linux")
            ? List.of("-XX:+UseTransparentHugePages") : List.of();

    private final Path lib;
    private final Path dir;
    private final int restPort;
    private final int rpcPort;
    private final int slots;
    private final Map<String, String> extraConfig;
    private final ManagedProcess jobManager;
    private final List<ManagedProcess> taskManagers = new ArrayList<>();

    public FlinkCluster(Path lib, Path dir, int restPort, int rpcPort, int slots) {
        this(lib, dir, restPort, rpcPort, slots, 1, Map.of());
    }

    /**
     * @param taskManagers TaskManager processes, each with {@code slots} slots
     * @param extraConfig Flink settings added to (or replacing) the defaults, e.g. heartbeat timeouts
     */
    public FlinkCluster(Path lib, Path dir, int restPort, int rpcPort, int slots, int taskManagers,
            Map<String, String> extraConfig) {
        if (taskManagers < 1 || slots < 1) {
            throw new IllegalArgumentException("a cluster needs at least one TaskManager with one slot");
        }
        this.lib = lib;
        this.dir = dir;
        this.restPort = restPort;
        this.rpcPort = rpcPort;
        this.slots = slots;
        this.extraConfig = new LinkedHashMap<>(extraConfig);
        this.jobManager = new ManagedProcess("jobmanager", dir);
        // status and down from another invocation find the TaskManagers an earlier 'up' started
        for (int k = 1; k <= Math.max(taskManagers, recordedTaskManagers(dir)); k++) {
            this.taskManagers.add(new ManagedProcess("taskmanager-" + k, dir));
        }
    }

    private static int recordedTaskManagers(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(n -> n.matches("taskmanager-\\d+\\.pid"))
                    .mapToInt(n -> Integer.parseInt(n.substring("taskmanager-".length(), n.length() - 4)))
                    .max().orElse(0);
        } catch (IOException e) {
            return 0; // no folder yet: nothing was started
        }
    }

    /** A cluster on free ports: for tests that must not collide with a developer's cluster. */
    public static FlinkCluster onFreePorts(Path lib, Path dir, int slots) {
        return onFreePorts(lib, dir, slots, 1, Map.of());
    }

    public static FlinkCluster onFreePorts(Path lib, Path dir, int slots, int taskManagers, Map<String, String> extraConfig) {
        return new FlinkCluster(lib, dir, FreePorts.next(), FreePorts.next(), slots, taskManagers,
                extraConfig);
    }

    /** deploy/flink-cluster/target/lib of the project. */
    public static Path defaultLib() {
        return LocalStack.Builder.defaultArtifacts().getParent().getParent().resolve("flink-cluster/target/lib");
    }

    /** Beside the local stack's folder: {@code <stack dir>/../cluster}. */
    public static Path defaultDir() {
        String env = System.getenv("NEURAL_SPARSE_CLUSTER_DIR");
        return env != null && !env.isBlank() ? Paths.get(env) : LocalStack.Builder.defaultDir().resolveSibling("cluster");
    }

    public Path confDir() {
        return dir.resolve("conf");
    }

    public String restUrl() {
        return "http://127.0.0.1:" + restPort;
    }

    public void up(Duration timeout) {
        if (!Files.isDirectory(lib)) {
            throw new StackException("the cluster's lib/ is not built (" + lib + " is missing); run: mvn -q -B package -DskipTests");
        }
        if (jobManager.running().isEmpty()) {
            ManagedProcess.requireFreePort(restPort, "Flink REST", "--rest-port");
            ManagedProcess.requireFreePort(rpcPort, "Flink JobManager RPC", "--rpc-port");
            writeConfig();
            start(jobManager, "GET_JM_RESOURCE_PARAMS", "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        }
        for (ManagedProcess taskManager : taskManagers) {
            if (taskManager.running().isEmpty()) {
                start(taskManager, "GET_TM_RESOURCE_PARAMS", "org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            }
        }
        Health.await(() -> registeredTaskManagers() >= taskManagers.size(), jobManager, "Flink JobManager on " + restUrl()
                + " with " + taskManagers.size() + " TaskManager(s)", timeout);
    }

    public boolean down() {
        boolean stopped = false;
        for (ManagedProcess taskManager : taskManagers) {
            stopped |= taskManager.stop(Duration.ofSeconds(30));
        }
        return jobManager.stop(Duration.ofSeconds(30)) | stopped;
    }

    public List<String> status() {
        List<String> lines = new ArrayList<>(List.of(line(jobManager, restUrl())));
        for (ManagedProcess taskManager : taskManagers) {
            lines.add(line(taskManager, slots + " slots"));
        }
        return lines;
    }

    /** The process of TaskManager {@code k} (from 1), if it runs: for chaos tests that kill one. */
    public Optional<ProcessHandle> taskManager(int k) {
        return taskManagers.get(k - 1).running();
    }

    private static String line(ManagedProcess p, String what) {
        return String.format("%-14s %-10s %-24s log %s", p.name(), p.running().map(h -> "pid " + h.pid()).orElse("stopped"),
                what, p.logFile());
    }

    /** TaskManagers registered with the JobManager now (0 when it does not answer). */
    public int registeredTaskManagers() {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(restUrl() + "/overview"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? new ObjectMapper().readTree(r.body()).path("taskmanagers").asInt() : 0;
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private void writeConfig() {
        try {
            Files.createDirectories(confDir());
            Map<String, String> settings = new LinkedHashMap<>();
            for (String line : List.of(
                    "jobmanager.rpc.address: 127.0.0.1",
                    "jobmanager.bind-host: 127.0.0.1",
                    "jobmanager.rpc.port: " + rpcPort,
                    "rest.address: 127.0.0.1",
                    "rest.bind-address: 127.0.0.1",
                    "rest.port: " + restPort,
                    "taskmanager.host: 127.0.0.1",
                    "taskmanager.bind-host: 127.0.0.1",
                    "taskmanager.numberOfTaskSlots: " + slots,
                    "jobmanager.memory.process.size: 1024m",
                    "taskmanager.memory.process.size: 3072m",
                    // safetensors are decoded on the heap, then into direct memory: room for a real model
                    "taskmanager.memory.task.off-heap.size: 768m",
                    "taskmanager.memory.managed.size: 64m",
                    "io.tmp.dirs: " + dir.resolve("tmp"),
                    "web.tmpdir: " + dir.resolve("tmp"),
                    "execution.checkpointing.dir: file://" + dir.resolve("checkpoints"))) {
                settings.put(line.substring(0, line.indexOf(": ")), line.substring(line.indexOf(": ") + 2));
            }
            settings.putAll(extraConfig);
            StringBuilder yaml = new StringBuilder();
            settings.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
            Files.writeString(confDir().resolve("config.yaml"), yaml.toString());
            Files.writeString(confDir().resolve("log4j.properties"), String.join("\n",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.out.ref = out",
                    "appender.out.type = Console",
                    "appender.out.name = out",
                    "appender.out.layout.type = PatternLayout",
                    "appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                    "logger.kafka.name = org.apache.kafka",
                    "logger.kafka.level = WARN",
                    ""));
            Files.copy(confDir().resolve("log4j.properties"), confDir().resolve("log4j-cli.properties"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new StackException("cannot write the Flink configuration in " + confDir() + ": " + e.getMessage(), e);
        }
    }

    private void start(ManagedProcess process, String resourceCommand, String mainClass) {
        List<String> params = bashJavaUtils(resourceCommand);
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(Arrays.asList(params.get(0).trim().split("\\s+")));
        command.addAll(Arrays.asList(JAVA_OPENS.split(" ")));
        command.addAll(HUGE_PAGES);
        command.add("-Dai.djl.offline=true");
        command.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties"));
        command.add("-Dlog.file=" + process.logFile());
        command.addAll(List.of("-cp", lib + "/*", mainClass, "--configDir", confDir().toString()));
        if (params.size() > 1) {
            command.addAll(Arrays.asList(params.get(1).trim().split("\\s+")));
        }
        // DJL extracts libtorch (~400 MB) into its cache: share the caller's cache when it has one.
        String djlCache = System.getenv("DJL_CACHE_DIR");
        process.start(command, dir, Map.of("FLINK_CONF_DIR", confDir().toString(),
                "DJL_CACHE_DIR", djlCache != null && !djlCache.isBlank() ? djlCache : dir.resolve("djl-cache").toString()));
    }

    /** What Flink's start scripts ask BashJavaUtils for: JVM memory flags, then dynamic configuration. */
    private List<String> bashJavaUtils(String command) {
        try {
            Process p = new ProcessBuilder(java(), "-cp", lib + "/*", "org.apache.flink.runtime.util.bash.BashJavaUtils",
                    command, "--configDir", confDir().toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new StackException("BashJavaUtils " + command + " failed:\n" + out);
            }
            List<String> results = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                    results.add(line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()));
                }
            }
            if (results.isEmpty()) {
                throw new StackException("BashJavaUtils " + command + " printed no result:\n" + out);
            }
            return results;
        } catch (IOException e) {
            throw new StackException("cannot run BashJavaUtils: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted", e);
        }
    }

    /** A process running Flink's CLI front end against this cluster, as {@code bin/flink} does. */
    public ProcessBuilder cli(String... args) {
        List<String> c = new ArrayList<>(List.of(java()));
        c.addAll(Arrays.asList(JAVA_OPENS.split(" ")));
        c.addAll(List.of("-Dlog4j.configurationFile=" + confDir().resolve("log4j-cli.properties"),
                "-cp", lib + "/*", "org.apache.flink.client.cli.CliFrontend"));
        c.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(c);
        pb.environment().put("FLINK_CONF_DIR", confDir().toString());
        return pb;
    }

    private static String java() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }
}
