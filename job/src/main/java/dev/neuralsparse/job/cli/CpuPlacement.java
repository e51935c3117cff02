package dev.neuralsparse.job.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The bench's JVM on some CPUs and the local servers on others, for one run, then put back as
 * they were. On a machine where the job and OpenSearch share their cores, OpenSearch (several
 * times the job's CPU per document) evicts the job's tables from the caches and slows each of its
 * stages; a GPU TaskManager does not run the search cluster, so the job's figures with the servers
 * on cores of their own are the ones that say what it costs there. Linux only ({@code taskset}):
 * every thread of each process moves, and threads started later inherit their creator's CPUs.
 */
final class CpuPlacement implements AutoCloseable {
    private static final Pattern LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");
    private static final Pattern CURRENT = Pattern.compile("current affinity list: (\\S+)");

    /** By process: its CPUs before the run, to put back. */
    private final Map<ProcessHandle, String> before = new LinkedHashMap<>();

    private CpuPlacement() {}

    /** No placement: processes stay where the scheduler puts them. */
    static CpuPlacement none() {
        return new CpuPlacement();
    }

    /**
     * Moves {@code self} (this JVM) to {@code selfCpus} and each of {@code servers} (with the
     * processes they started) to {@code serverCpus}, CPU lists as {@code taskset -c} takes them.
     */
    static CpuPlacement of(String selfCpus, String serverCpus, List<ProcessHandle> servers, PrintStream err)
            throws IOException, InterruptedException {
        check(selfCpus, "--job-cpus");
        check(serverCpus, "--server-cpus");
        CpuPlacement placement = new CpuPlacement();
        try {
            placement.move(ProcessHandle.current(), selfCpus);
            for (ProcessHandle server : servers) {
                for (ProcessHandle p : Stream.concat(Stream.of(server), server.descendants()).toList()) {
                    placement.move(p, serverCpus);
                }
            }
        } catch (IOException | RuntimeException e) {
            placement.close();
            throw e;
        }
        err.println("bench-pipeline: this JVM on CPUs " + selfCpus + ", the local servers (" + servers.size()
                + " processes and their children) on CPUs " + serverCpus + " until the end of the run");
        return placement;
    }

    private static void check(String cpus, String option) {
        if (cpus == null || !LIST.matcher(cpus).matches()) {
            throw new CliArgs.UsageException(option + " takes a CPU list such as 0 or 0-3 or 0,2, got " + cpus);
        }
    }

    private void move(ProcessHandle process, String cpus) throws IOException, InterruptedException {
        String previous = affinity(process);
        taskset("-a", "-cp", cpus, Long.toString(process.pid()));
        before.putIfAbsent(process, previous);
    }

    /** The process's CPU list now, as {@code taskset -cp} prints it. */
    static String affinity(ProcessHandle process) throws IOException, InterruptedException {
        String out = taskset("-cp", Long.toString(process.pid()));
        Matcher m = CURRENT.matcher(out);
        if (!m.find()) {
            throw new IOException("cannot read the CPUs of process " + process.pid() + " from taskset: " + out.strip());
        }
        return m.group(1);
    }

    /** Puts every process moved back on its CPUs of before, those still running; tries all, then throws the first failure. */
    @Override
    public void close() throws IOException, InterruptedException {
        List<IOException> failures = new ArrayList<>();
        for (Map.Entry<ProcessHandle, String> e : before.entrySet()) {
            if (!e.getKey().isAlive()) {
                continue;
            }
            try {
                taskset("-a", "-cp", e.getValue(), Long.toString(e.getKey().pid()));
            } catch (IOException failure) {
                failures.add(failure);
            }
        }
        before.clear();
        if (!failures.isEmpty()) {
            failures.subList(1, failures.size()).forEach(failures.get(0)::addSuppressed);
            throw failures.get(0);
        }
    }

    private static String taskset(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("taskset"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("placing processes on CPUs needs taskset (Linux, util-linux): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }
}
