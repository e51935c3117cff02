package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.SparseVector;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The vectors {@code bench-pipeline --host-path-only} replays, kept on disk between runs: encoding
 * a corpus with the tiny model takes minutes of this machine, and paired runs of two versions of
 * the host path need the same vectors each time, not a new forward pass. A file is named after a
 * digest of everything the vectors depend on: the model folder and each of its files' name, size
 * and modification time, the pruning, and the texts; anything else is a miss, and the vectors are
 * encoded again. A model given as a hub id is never kept: what it resolves to may change.
 */
final class RecordedVectors {
    private final Path file;

    private RecordedVectors(Path file) {
        this.file = file;
    }

    /** The vectors' file for these inputs; null for a model that is not a local folder. */
    static RecordedVectors of(Path cacheDir, Path model, String pruning, List<String> texts) throws IOException {
        if (!Files.isDirectory(model)) {
            return null; // a hub id: what it resolves to may change, so nothing is kept
        }
        MessageDigest sha = sha256();
        sha.update((model.toAbsolutePath() + "\0").getBytes(StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(model)) {
            for (Path f : files.sorted().toList()) {
                sha.update((f.getFileName() + "\0" + Files.size(f) + "\0" + Files.getLastModifiedTime(f).toMillis() + "\0")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        sha.update(("prune=" + pruning + "\0").getBytes(StandardCharsets.UTF_8));
        for (String text : texts) {
            sha.update(text.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
        }
        return new RecordedVectors(cacheDir.resolve("bench-pipeline").resolve(HexFormat.of().formatHex(sha.digest()) + ".vectors"));
    }

    /** The vectors recorded, in the texts' order, or null when there are none. */
    List<SparseVector> load() throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            int count = in.readInt();
            List<SparseVector> vectors = new ArrayList<>(count);
            for (int v = 0; v < count; v++) {
                int[] ids = new int[in.readInt()];
                float[] weights = new float[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = in.readInt();
                    weights[i] = in.readFloat();
                }
                vectors.add(SparseVector.copyOfSorted(ids, weights));
            }
            return vectors;
        }
    }

    void save(List<SparseVector> vectors) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(partial)))) {
            out.writeInt(vectors.size());
            for (SparseVector v : vectors) {
                out.writeInt(v.size());
                for (int i = 0; i < v.size(); i++) {
                    out.writeInt(v.id(i));
                    out.writeFloat(v.weight(i));
                }
            }
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public String toString() {
        return file.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required algorithm of every JVM", e);
        }
    }
}
