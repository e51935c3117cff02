package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process at a time for a command that treats a local stack as its own, such as
 * {@code bench-pipeline}, which deletes at its start the topics and indexes an interrupted run
 * left: a second run at the same time would delete the first one's. An operating-system lock on a
 * file in the stack's directory, so a process that dies releases it, and no stale file can block
 * the next run; the file names the holder's pid for the message.
 */
public final class StackLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private StackLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock named {@code command} in {@code stackDir}, or fails at once with a
     * {@link StackException} that names the process holding it.
     */
    public static StackLock acquire(Path stackDir, String command) {
        Path file = stackDir.resolve(command + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(stackDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new StackException("another " + command + " (" + holder(channel) + ") is running on the local stack in "
                        + stackDir + "; two at a time would delete each other's topics and indexes: wait for it to end"
                        + " (the lock is " + file + ")");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
            StackLock held = new StackLock(channel, lock);
            channel = null; // the lock's now
            return held;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        } finally {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing: the first error is the one to report
            }
        }
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            return null;
        }
    }

    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer pid = ByteBuffer.allocate(20);
        channel.read(pid, 0);
        String text = new String(pid.array(), 0, pid.position(), StandardCharsets.US_ASCII).strip();
        return text.isEmpty() ? "pid unknown" : "pid " + text;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
