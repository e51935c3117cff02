package dev.neuralsparse.job.stack;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a health check until it passes, the process dies, or time runs out. */
final class Health {
    private Health() {}

    static void await(BooleanSupplier healthy, ManagedProcess process, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!healthy.getAsBoolean()) {
            if (process.running().isEmpty()) {
                throw new StackException(what + " exited during start-up; last lines of " + process.logFile()
                        + ":\n" + process.tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new StackException(what + " did not become healthy within " + timeout.toSeconds() + " s; see "
                        + process.logFile() + ":\n" + process.tail(30));
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StackException("interrupted while waiting for " + what, e);
            }
        }
    }
}
