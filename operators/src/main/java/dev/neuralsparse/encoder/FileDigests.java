package dev.neuralsparse.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The digests the Hugging Face hub publishes for a file, computed for a local copy. */
final class FileDigests {
    private FileDigests() {}

    /** SHA-256 of the content: an LFS file's object id ({@code X-Linked-Etag}). */
    static String sha256(Path file) throws IOException {
        return hex(digest("SHA-256", null, file));
    }

    /** Git's blob id, SHA-1 of {@code "blob <size>\0"} and the content: a file in git ({@code ETag}). */
    static String gitBlobSha1(Path file) throws IOException {
        return hex(digest("SHA-1", ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII), file));
    }

    private static byte[] digest(String algorithm, byte[] header, Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is a required algorithm of every JVM", e);
        }
        if (header != null) {
            md.update(header);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
            }
        }
        return md.digest();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
