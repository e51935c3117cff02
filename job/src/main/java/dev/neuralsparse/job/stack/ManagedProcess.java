package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A server process of the stack, recorded by a PID file so that another invocation (or another
 * JVM) finds it, reuses it and stops it. Output goes to a log file next to the PID file.
 */
final class ManagedProcess {
    private final String name;
    private final Path pidFile;
    private final Path logFile;

    ManagedProcess(String name, Path dir) {
        this.name = name;
        this.pidFile = dir.resolve(name + ".pid");
        this.logFile = dir.resolve(name + ".log");
    }

    String name() {
        return name;
    }

    Path logFile() {
        return logFile;
    }

    /** The recorded process, if it is still alive. */
    Optional<ProcessHandle> running() {
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    ProcessHandle start(List<String> command, Path workDir, Map<String, String> env) {
        try {
            Files.createDirectories(pidFile.getParent());
            ProcessBuilder pb = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            Files.writeString(pidFile, Long.toString(p.pid()));
            return p.toHandle();
        } catch (IOException e) {
            throw new StackException("cannot start " + name + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
    }

    /** SIGTERM, then SIGKILL if it has not ended within {@code grace}. */
    boolean stop(Duration grace) {
        Optional<ProcessHandle> p = running();
        if (p.isEmpty()) {
            deletePidFile();
            return false;
        }
        ProcessHandle h = p.get();
        h.descendants().forEach(ProcessHandle::destroy);
        h.destroy();
        try {
            h.onExit().get(grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
        }
        deletePidFile();
        return true;
    }

    private void deletePidFile() {
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale PID file is harmless: running() checks the process
        }
    }

    /** Fails clearly when something else listens on a port we are about to use. */
    static void requireFreePort(int port, String what, String option) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
        } catch (IOException e) {
            throw new StackException("port " + port + " (" + what + ") is in use by another process;"
                    + " stop it or choose another port with " + option);
        }
    }

    /** The last lines of the log, to show with a failure. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ")";
        }
    }
}
