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
 * <p>Downloads go to a temporary file beside the target and are moved into place atomically, so
 * an interrupted download never leaves a half file that a later run would take for a whole one.
 *
 * <pre>{@code
 * Path folder = ModelResolver.builder().build().resolve("opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill");
 * }</pre>
 */
public final class ModelResolver {
    private static final Logger LOG = LoggerFactory.getLogger(ModelResolver.class);

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** Files without which a folder cannot be encoded with. */
    public static final List<String> REQUIRED_FILES =
            List.of("config.json", "tokenizer.json", "model.safetensors");
    /** Files that some repositories lack; a 404 on them is remembered, not an error. */
    /** Files of the transformer itself, under its module folder in a sentence-transformers layout. */
    private static final List<String> TRANSFORMER_FILES = List.of("config.json", "model.safetensors");

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
        Path folder = cacheFolder(ref);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot create model cache folder " + folder + ": " + e, e);
        }
        String transformer = sentenceTransformersFiles(ref, folder);
        for (String file : requiredFiles) {
            boolean ofTransformer = TRANSFORMER_FILES.contains(file);
            if (file.equals("tokenizer.json") && Files.isRegularFile(folder.resolve(transformer + file))) {
                continue; // the transformer's folder has its own tokenizer, which the encoder loads
            }
            fetch(ref, ofTransformer ? transformer + file : file, folder, true);
        }
        for (String file : OPTIONAL_FILES) {
            if (!requiredFiles.contains(file)) {
                fetch(ref, file, folder, false);
            }
        }
        return folder;
    }

    /**
     * A sentence-transformers layout says where its modules are: fetches {@code modules.json} (and
     * a Router's {@code router_config.json}), then the SpladePooling config of the document route
     * and, when the transformer has a folder of its own, that folder's config.
     *
     * @return the folder prefix of the transformer's files ("" for the top of the repository)
     */
    private String sentenceTransformersFiles(String ref, Path folder) {
        fetch(ref, "modules.json", folder, false);
        if (!Files.isRegularFile(folder.resolve("modules.json"))) {
            return "";
        }
        fetch(ref, "router_config.json", folder, false);
        SparseRecipe.DocumentModules modules = SparseRecipe.documentModules(folder);
        fetch(ref, prefix(modules.pooling()) + "config.json", folder, true);
        if (modules.transformer().isEmpty()) {
            return "";
        }
        fetch(ref, prefix(modules.transformer()) + "config.json", folder, false);
        boolean ownFolder = Files.isRegularFile(folder.resolve(modules.transformer()).resolve("config.json"));
        if (ownFolder) {
            fetch(ref, prefix(modules.transformer()) + "tokenizer.json", folder, false);
        }
        return ownFolder ? prefix(modules.transformer()) : "";
    }

    private static String prefix(String module) {
        return module.isEmpty() ? "" : module + "/";
    }

    /** Where a repository's files are cached; exposed for tools that report or clear the cache. */
    public Path cacheFolder(String repoId) {
        return cacheDir.resolve("models--" + repoId.replace("/", "--")).resolve(revision);
    }

    private void fetch(String repo, String file, Path folder, boolean required) {
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
        HttpClient http = http();
        URI url = endpoint.resolve(repo + "/resolve/" + revision + "/" + file);
        try {
            LOG.info("Downloading {} of {} from {}", file, repo, url);
            HttpResponse<InputStream> response = http.send(request(url), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() == 404 && !required) {
                    Files.createFile(folder.resolve(file + ABSENT_SUFFIX));
                    return;
                }
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode() + " from " + url);
                }
                long expected = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                writeAtomically(body, target, expected);
            }
        } catch (IOException e) {
            failed(repo, file, required, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed(repo, file, required, e);
        }
    }

    private void failed(String repo, String file, boolean required, Exception cause) {
        String message =
                "Cannot download " + file + " of model " + repo + " (revision " + revision + ") from "
                        + endpoint + ": " + cause.getMessage() + ". Nothing is cached for it in "
                        + cacheFolder(repo) + "; run once with network access, or pass a local model folder.";
        if (required) {
            throw new ModelLoadException(message, cause);
        }
        LOG.warn("{} (optional file, going on without it)", message);
    }

    private HttpRequest request(URI url) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).GET();
        if (token != null && !token.isBlank()) {
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
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL) // the hub redirects large files to a CDN
                .connectTimeout(timeout)
                .build();
    }

    private static void writeAtomically(InputStream body, Path target, long expectedBytes) throws IOException {
        Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            long written;
            try (OutputStream out = Files.newOutputStream(part)) {
                written = body.transferTo(out);
            }
            if (expectedBytes >= 0 && written != expectedBytes) {
                throw new IOException("download ended after " + written + " of " + expectedBytes + " bytes");
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
        private String revision = "main";
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
