package dev.neuralsparse.job.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** {@code --input FILE} / {@code --output FILE}, or stdin / stdout when absent or {@code -}. */
final class IoPaths {
    private IoPaths() {}

    static BufferedReader input(String path, InputStream stdin) throws IOException {
        if (path == null || path.equals("-")) {
            return new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
        }
        try {
            return Files.newBufferedReader(Paths.get(path), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliArgs.UsageException("input file " + path + " does not exist");
        }
    }

    static OutputStream output(String path, PrintStream stdout) throws IOException {
        if (path == null || path.equals("-")) {
            return new java.io.FilterOutputStream(stdout) {
                @Override
                public void close() throws IOException {
                    flush(); // never close the process's stdout
                }
            };
        }
        Path p = Paths.get(path);
        return new java.io.BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    }

    static String describe(String path) {
        return path == null || path.equals("-") ? "stdin" : path;
    }
}
