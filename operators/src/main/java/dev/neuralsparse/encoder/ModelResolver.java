package dev.neuralsparse.encoder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a model reference into a local Hugging Face model folder: either a folder that exists, or
 * a hub repository id ({@code opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill})
 * whose files are downloaded once into a cache and reused from then on without any network.
 *
 * <p>A revision (branch, tag or commit) is resolved to its commit SHA once, through the hub's API,
 * and recorded in the cache ({@code refs/REVISION}, as huggingface_hub does); files are downloaded
 * from that commit into {@code snapshots/SHA/}, so files of two commits never mix. Each download is
 * checked against the digest the hub publishes in its first answer (before any CDN redirect): the
 * SHA-256 of an LFS file ({@code X-Linked-Etag}), the git blob SHA-1 of any other ({@code ETag}).
 *
 * <p>Downloads go to a temporary file beside the target and are moved into place atomically once
 * checked, so an interrupted or corrupted download never leaves a file a later run would trust.
 *
 * <pre>{@code
 * Path folder = ModelResolver.builder().build().resolve("opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill");
 * }</pre>
 */
public final class ModelResolver {
    private static final Logger LOG = LoggerFactory.getLogger(ModelResolver.class);

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    public static final String DEFAULT_REVISION = "main";
    private static final Pattern COMMIT_SHA = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final int MAX_REDIRECTS = 5;
    /** Files without which a folder cannot be encoded with. */
    public static final List<String> REQUIRED_FILES =
            List.of("config.json", "tokenizer.json", "model.safetensors");
    /** Files of the transformer itself, under its module folder in a sentence-transformers layout. */
    private static final List<String> TRANSFORMER_FILES = List.of("config.json", "model.safetensors");

    /** Files that some repositories lack; a 404 on them is remembered, not an error. */
    public static final List<String> OPTIONAL_FILES =
            List.of("idf.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt");

    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*/[A-Za-z0-9][\\w.-]*");
    private static final String ABSENT_SUFFIX = ".absent";

    private final URI endpoint;
    private final Path cacheDir;
    private final String revision;
    private final Duration timeout;
    private final String token;
    private HttpClient http;

    private ModelResolver(Builder b) {
        this.endpoint = URI.create(b.endpoint.endsWith("/") ? b.endpoint : b.endpoint + "/");
        this.cacheDir = b.cacheDir;
        this.revision = b.revision;
        this.timeout = b.timeout;
        this.token = b.token;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code $NEURAL_SPARSE_CACHE}, else {@code ~/.cache/neural-sparse}: downloads and generated files. */
    public static Path cacheRoot() {
        String env = System.getenv("NEURAL_SPARSE_CACHE");
        return env != null && !env.isBlank()
                ? Paths.get(env)
                : Paths.get(System.getProperty("user.home"), ".cache", "neural-sparse");
    }

    /** True when {@code ref} names a hub repository, not a folder that exists here. */
    public static boolean isHubModel(String ref) {
        return !Files.isDirectory(Paths.get(ref)) && REPO_ID.matcher(ref).matches();
    }

    /** Resolves a local folder or hub repo id to a folder holding at least the required files. */
    public Path resolve(String ref) {
        return resolve(ref, REQUIRED_FILES);
    }

    /**
     * Like {@link #resolve(String)} with another list of required files: the query side needs
     * only {@code tokenizer.json} and {@code idf.json}, not the weights.
     */
    public Path resolve(String ref, List<String> requiredFiles) {
        Objects.requireNonNull(ref, "model reference");
        Path local = Paths.get(ref);
        if (Files.isDirectory(local)) {
            return local;
        }
        if (!REPO_ID.matcher(ref).matches()) {
            throw new ModelLoadException(
                    "Model '" + ref + "' is neither an existing folder nor a hub repo id (owner/name)");
        }
        String commit = commit(ref);
        Path folder = snapshotFolder(ref, commit);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot create model cache folder " + folder + ": " + e, e);
        }
        String transformer = sentenceTransformersFiles(ref, commit, folder);
        for (String file : requiredFiles) {
            boolean ofTransformer = TRANSFORMER_FILES.contains(file);
            if (file.equals("tokenizer.json") && Files.isRegularFile(folder.resolve(transformer + file))) {
                continue; // the transformer's folder has its own tokenizer, which the encoder loads
            }
            fetch(ref, commit, ofTransformer ? transformer + file : file, folder, true);
        }
        for (String file : OPTIONAL_FILES) {
            if (!requiredFiles.contains(file)) {
                fetch(ref, commit, file, folder, false);
            }
        }
        return folder;
    }

    /**
     * The commit SHA this resolver's revision names in {@code repo}: the revision itself when it is
     * one; else the one recorded in the cache (no network, so a cached model works offline); else
     * the hub's answer, recorded. A job calls this once, when it is submitted, and gives the SHA to
     * its TaskManagers.
     */
    public String commit(String repo) {
        if (COMMIT_SHA.matcher(revision).matches()) {
            return revision;
        }
        Path ref = repoFolder(repo).resolve("refs").resolve(revision);
        try {
            if (Files.isRegularFile(ref)) {
                return Files.readString(ref).strip();
            }
            String commit = askHubForCommit(repo);
            Files.createDirectories(ref.getParent());
            Path part = Files.createTempFile(ref.getParent(), ".ref", ".part");
            Files.writeString(part, commit);
            Files.move(part, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.info("Revision {} of {} is commit {}", revision, repo, commit);
            return commit;
        } catch (IOException e) {
            throw new ModelLoadException("Cannot resolve revision " + revision + " of model " + repo + " at " + endpoint
                    + ": " + e.getMessage() + ". Nothing is cached for it in " + repoFolder(repo)
                    + "; run once with network access, or pass a local model folder.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("interrupted while resolving revision " + revision + " of " + repo, e);
        }
    }

    /** {@code GET /api/models/REPO/revision/REV}, the call behind huggingface_hub's {@code model_info}. */
    private String askHubForCommit(String repo) throws IOException, InterruptedException {
        URI url = endpoint.resolve("api/models/" + repo + "/revision/"
                + java.net.URLEncoder.encode(revision, java.nio.charset.StandardCharsets.UTF_8));
        HttpResponse<String> r = http().send(request(url, "GET"), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            throw new IOException("the hub knows no revision '" + revision + "' of " + repo + " (HTTP 404 from " + url + ")");
        }
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from " + url);
        }
        String sha = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("sha").asText("");
        if (!COMMIT_SHA.matcher(sha).matches()) {
            throw new IOException("the hub's answer for revision " + revision + " holds no commit SHA: " + url);
        }
        return sha;
    }

    /**
     * A sentence-transformers layout says where its modules are: fetches {@code modules.json} (and
     * a Router's {@code router_config.json}), then the SpladePooling config of the document route
     * and, when the transformer has a folder of its own, that folder's config.
     *
     * @return the folder prefix of the transformer's files ("" for the top of the repository)
     */
    private String sentenceTransformersFiles(String ref, String commit, Path folder) {
        fetch(ref, commit, "modules.json", folder, false);
        if (!Files.isRegularFile(folder.resolve("modules.json"))) {
            return "";
        }
        fetch(ref, commit, "router_config.json", folder, false);
        SparseRecipe.DocumentModules modules = SparseRecipe.documentModules(folder);
        fetch(ref, commit, prefix(modules.pooling()) + "config.json", folder, true);
        if (modules.transformer().isEmpty()) {
            return "";
        }
        fetch(ref, commit, prefix(modules.transformer()) + "config.json", folder, false);
        boolean ownFolder = Files.isRegularFile(folder.resolve(modules.transformer()).resolve("config.json"));
        if (ownFolder) {
            fetch(ref, commit, prefix(modules.transformer()) + "tokenizer.json", folder, false);
        }
        return ownFolder ? prefix(modules.transformer()) : "";
    }

    private static String prefix(String module) {
        return module.isEmpty() ? "" : module + "/";
    }

    /** Where a repository's revisions and snapshots are cached, in huggingface_hub's layout. */
    public Path repoFolder(String repoId) {
        return cacheDir.resolve("models--" + repoId.replace("/", "--"));
    }

    /** Where the files of one commit of a repository are cached. */
    public Path snapshotFolder(String repoId, String commit) {
        return repoFolder(repoId).resolve("snapshots").resolve(commit);
    }

    private void fetch(String repo, String commit, String file, Path folder, boolean required) {
        Path target = folder.resolve(file);
        if (Files.isRegularFile(target) || Files.exists(folder.resolve(file + ABSENT_SUFFIX))) {
            return; // cached: no network at all, so a cached model works offline
        }
        try {
            Files.createDirectories(target.getParent()); // module files live in subfolders
        } catch (IOException e) {
            failed(repo, file, required, e);
            return;
        }
        URI url = endpoint.resolve(repo + "/resolve/" + commit + "/" + file);
        try {
            LOG.info("Downloading {} of {} from {}", file, repo, url);
            String digest = null; // from the hub's own answer: a CDN it redirects to does not know it
            for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
                HttpResponse<InputStream> response = http().send(request(url, "GET"), HttpResponse.BodyHandlers.ofInputStream());
                try (InputStream body = response.body()) {
                    if (digest == null && isHub(url)) {
                        digest = publishedDigest(response);
                    }
                    int status = response.statusCode();
                    if (status / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
                        url = url.resolve(response.headers().firstValue("Location").get());
                        continue;
                    }
                    if (status == 404 && !required) {
                        Files.createFile(folder.resolve(file + ABSENT_SUFFIX));
                        return;
                    }
                    if (status != 200) {
                        throw new IOException("HTTP " + status + " from " + url);
                    }
                    long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                    writeAtomically(body, target, expected, digest);
                    return;
                }
            }
            throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
        } catch (IOException e) {
            failed(repo, file, required, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(repo, file, required, e);
        }
    }

    /**
     * The digest the hub publishes for a file: {@code X-Linked-Etag} (SHA-256 of an LFS file),
     * else {@code ETag} (git blob SHA-1 of a file in git); quotes and a weak marker stripped. Null
     * when there is none (a mirror may not send one).
     */
    static String publishedDigest(HttpResponse<?> response) {
        String etag = response.headers().firstValue("X-Linked-Etag")
                .or(() -> response.headers().firstValue("ETag")).orElse(null);
        if (etag == null) {
            return null;
        }
        etag = etag.strip();
        if (etag.startsWith("W/")) {
            etag = etag.substring(2);
        }
        etag = etag.replace("\"", "").toLowerCase(java.util.Locale.ROOT);
        return SHA256.matcher(etag).matches() || COMMIT_SHA.matcher(etag).matches() ? etag : null;
    }

    private void failed(String repo, String file, boolean required, Exception cause) {
        String message =
                "Cannot download " + file + " of model " + repo + " (revision " + revision + ") from "
                        + endpoint + ": " + cause.getMessage() + ". Nothing is cached for it in "
                        + repoFolder(repo) + "; run once with network access, or pass a local model folder.";
        if (required) {
            throw new ModelLoadException(message, cause);
        }
        LOG.warn("{} (optional file, going on without it)", message);
    }

    private boolean isHub(URI url) {
        return Objects.equals(url.getHost(), endpoint.getHost()) && url.getPort() == endpoint.getPort();
    }

    /** The token goes to the hub only, never to a host it redirects to. */
    private HttpRequest request(URI url, String method) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null && !token.isBlank() && isHub(url)) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }

    /** Created at the first download, so that a model found in the cache needs no client at all. */
    private synchronized HttpClient http() {
        if (http == null) {
            http = newClient();
        }
        return http;
    }

    private HttpClient newClient() {
        // Redirects (the hub sends LFS files to a CDN) are followed by hand: the digest is in the
        // hub's own answer, and the token must not travel to another host.
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(timeout)
                .build();
    }

    private static void writeAtomically(InputStream body, Path target, long expectedBytes, String digest) throws IOException {
        Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            long written;
            try (OutputStream out = Files.newOutputStream(part)) {
                written = body.transferTo(out);
            }
            if (expectedBytes >= 0 && written != expectedBytes) {
                throw new IOException("download ended after " + written + " of " + expectedBytes + " bytes");
            }
            if (digest != null) {
                String actual = digest.length() == 64 ? FileDigests.sha256(part) : FileDigests.gitBlobSha1(part);
                if (!actual.equals(digest)) {
                    throw new IOException("the download does not match the digest the hub publishes for it ("
                            + digest + ", got " + actual + "): corrupted on the way, not cached");
                }
            } else {
                LOG.warn("{}: the hub publishes no digest for it, so it is cached unchecked", target.getFileName());
            }
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Defaults follow huggingface_hub: {@code HF_ENDPOINT}, {@code HF_TOKEN}. */
    public static final class Builder {
        private String endpoint = envOr("HF_ENDPOINT", DEFAULT_ENDPOINT);
        private Path cacheDir = defaultCacheDir();
        private String revision = DEFAULT_REVISION;
        private Duration timeout = Duration.ofSeconds(60);
        private String token = System.getenv("HF_TOKEN");

        public Builder setEndpoint(String endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        public Builder setCacheDir(Path cacheDir) {
            this.cacheDir = Objects.requireNonNull(cacheDir, "cacheDir");
            return this;
        }

        public Builder setRevision(String revision) {
            this.revision = Objects.requireNonNull(revision, "revision");
            return this;
        }

        public Builder setTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder setToken(String token) {
            this.token = token;
            return this;
        }

        public ModelResolver build() {
            return new ModelResolver(this);
        }

        /** The {@code hub} folder of {@link ModelResolver#cacheRoot()}. */
        public static Path defaultCacheDir() {
            return cacheRoot().resolve("hub");
        }

        private static String envOr(String name, String fallback) {
            String v = System.getenv(name);
            return v == null || v.isBlank() ? fallback : v;
        }
    }
}
