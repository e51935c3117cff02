package dev.neuralsparse.job.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The processes the integration tests start: set-up tools, and {@code bin/neural-sparse} as a user runs it. */
final class Processes {
    static final Path HOME = Paths.get(System.getProperty("neural.sparse.home", "..")).toAbsolutePath().normalize();

    private Processes() {}

    /** What a command printed (stdout and stderr together) and how it exited. */
    record Result(int exitCode, String output) {}

    /** Runs a set-up tool (openssl, keytool) in {@code dir}; its output, or an exception with it. */
    static String tool(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    /** Runs {@code bin/neural-sparse ARGS} with {@code env} added, its output logged in {@code logDir}. */
    static Result neuralSparse(Path logDir, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(HOME.resolve("bin/neural-sparse").toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(logDir, "cli", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("bin/neural-sparse %s finished", args[0]).isTrue();
        return new Result(p.exitValue(), Files.readString(log));
    }
}
