package dev.neuralsparse.job.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a JDK of at least a given major version (OpenSearch 3 needs 21+; the job runs on 17). */
final class JavaRuntimes {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private JavaRuntimes() {}

    /**
     * Looks in {@code $OPENSEARCH_JAVA_HOME}, {@code $JAVA21_HOME}, {@code $JAVA_HOME}, the running
     * JVM and {@code /usr/lib/jvm/*}, in that order.
     */
    static Path findHome(int minMajor) {
        List<Path> candidates = new ArrayList<>();
        for (String env : List.of("OPENSEARCH_JAVA_HOME", "JAVA21_HOME", "JAVA_HOME")) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) {
                candidates.add(Paths.get(v));
            }
        }
        candidates.add(Paths.get(System.getProperty("java.home")));
        Path jvms = Paths.get("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                dirs.sorted().forEach(candidates::add);
            } catch (IOException ignored) {
                // nothing more to look at
            }
        }
        for (Path home : candidates) {
            if (major(home) >= minMajor && Files.isExecutable(home.resolve("bin/java"))) {
                return home;
            }
        }
        throw new StackException("OpenSearch needs Java " + minMajor + " or newer and none was found; looked in "
                + candidates + ". Install one (e.g. a Temurin " + minMajor + "+ JDK) or set OPENSEARCH_JAVA_HOME.");
    }

    private static int major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }
}
