package dev.neuralsparse.job.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class StackLockTest {
    /** Holds the lock of {@code args[1]} in directory {@code args[0]} until its stdin closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (StackLock lock = StackLock.acquire(Path.of(args[0]), args[1])) {
                System.out.println("locked");
                System.out.flush();
                System.in.read();
            }
        }
    }

    /** Another process holding the lock: file locks are per process, so the holder must be one. */
    public static Process holder(Path dir, String command) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                dir.toString(), command).redirectErrorStream(true).start();
        String first = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).as("the holder process's first line").isEqualTo("locked");
        return p;
    }

    @Test
    void aSecondRunIsRefusedNamingTheFirstAndTheLockIsFreeOnceThatProcessEnds(@TempDir Path dir) throws Exception {
        Process first = holder(dir, "bench-pipeline");
        try {
            assertThatThrownBy(() -> StackLock.acquire(dir, "bench-pipeline"))
                    .isInstanceOf(StackException.class)
                    .hasMessageContaining("another bench-pipeline (pid " + first.pid() + ")")
                    .hasMessageContaining(dir.toString());
            // Killed, not closed: a crashed run must not leave the stack locked.
            first.destroyForcibly();
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (StackLock lock = StackLock.acquire(dir, "bench-pipeline")) {
                assertThat(Files.readString(dir.resolve("bench-pipeline.lock"))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            }
        } finally {
            first.destroyForcibly();
        }
    }
}
