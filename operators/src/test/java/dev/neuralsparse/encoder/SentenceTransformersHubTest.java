package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A v3 model in the sentence-transformers Router layout downloaded from a local server in the
 * hub's URL layout (files by their path in the repository), then encoded with its own recipe.
 */
class SentenceTransformersHubTest {
    private static final String REPO = "opensearch-project/tiny-distilbert-v3";

    @TempDir Path cache;
    @TempDir Path repo;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** Serves {@code repo}'s files at /{REPO}/resolve/main/{path}. */
    private String startHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String prefix = "/" + REPO + "/resolve/main/";
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path.substring(Math.min(path.length(), prefix.length())));
            Path file = path.startsWith(prefix) ? repo.resolve(path.substring(prefix.length())).normalize() : null;
            byte[] body = file != null && file.startsWith(repo) && Files.isRegularFile(file) ? Files.readAllBytes(file) : null;
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** The v3 fixture with the transformer moved into its module folder, as a Router can also save it. */
    private void layOutRepository() throws IOException {
        Path fixture = SharedFixtures.model("tiny-distilbert-v3");
        Files.createDirectories(repo.resolve("document_0_MLMTransformer"));
        Files.createDirectories(repo.resolve("document_1_SpladePooling"));
        for (String f : List.of("modules.json", "router_config.json", "idf.json", "document_1_SpladePooling/config.json")) {
            Files.copy(fixture.resolve(f), repo.resolve(f));
        }
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            Files.copy(fixture.resolve(f), repo.resolve("document_0_MLMTransformer").resolve(f));
        }
    }

    @Test
    void aRouterModelIsDownloadedWithItsModulesAndEncodedWithItsOwnActivation() throws Exception {
        layOutRepository();
        EncoderSpec spec = EncoderSpec.builder().setModel(REPO).setCacheDir(cache.toString()).build();
        String endpoint = startHub();
        Path folder = ModelResolver.builder().setEndpoint(endpoint).setCacheDir(cache).build().resolve(REPO);
        assertThat(requests).contains("modules.json", "router_config.json", "document_1_SpladePooling/config.json",
                "document_0_MLMTransformer/config.json", "document_0_MLMTransformer/model.safetensors");
        assertThat(folder.resolve("model.safetensors")).doesNotExist();

        server.stop(0); // from here on, the cache alone
        server = null;
        try (SparseEncoder encoder = SparseEncoder.open(spec)) {
            assertThat(encoder.recipe().activation()).isEqualTo(SparseRecipe.Activation.LOG1P_LOG1P_RELU);
            assertThat(encoder.recipe().transformerFolder()).isEqualTo(folder.resolve("document_0_MLMTransformer"));
            for (JsonNode doc : GoldenParityTest.expected("tiny-distilbert-v3")) {
                GoldenParityTest.assertMatches(doc, encoder.encode(doc.get("text").asText()), encoder.vocabulary());
            }
        }
    }
}
