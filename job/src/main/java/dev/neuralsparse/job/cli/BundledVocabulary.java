package dev.neuralsparse.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The bert-base-uncased {@code tokenizer.json} and the doc-v2-distill {@code idf.json} that ship
 * inside the jar (public Apache-2.0 data): what generated models and the offline demo use.
 */
final class BundledVocabulary {
    private static final String FOLDER = "/bert-base-uncased/";

    private BundledVocabulary() {}

    static Path tokenizerJson() {
        return extract("tokenizer.json");
    }

    static Path idfJson() {
        return extract("idf.json");
    }

    /** Copies the resource into the cache once; DJL's tokenizer reads from a file. */
    private static Path extract(String name) {
        Path target = Corpora.cacheDir().resolve("bundled").resolve(name);
        if (Files.isRegularFile(target)) {
            return target;
        }
        try (InputStream in = BundledVocabulary.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + FOLDER + name + " is missing from the jar");
            }
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempFile(target.getParent(), name, ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + name + " into " + target, e);
        }
    }
}
