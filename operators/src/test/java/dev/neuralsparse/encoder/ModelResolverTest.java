package dev.neuralsparse.encoder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub download against a local server that serves a fixture folder in the hub's URL layout. */
class ModelResolverTest {
    private static final String REPO = "opensearch-project/tiny-distilbert";

    @TempDir Path cache;
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    /** Serves /{repo}/resolve/main/{file}; large files redirect to /cdn/ as the hub does. */
    private String startHub(boolean cutSafetensors) throws IOException {
        Path fixture = SharedFixtures.model("tiny-distilbert");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            String prefix = "/" + REPO + "/resolve/main/";
            if (path.startsWith(prefix) && path.endsWith(".safetensors")) {
                exchange.getResponseHeaders().add("Location", "/cdn/" + path.substring(prefix.length()));
                send(exchange, 302, new byte[0], false);
            } else if (path.startsWith(prefix) || path.startsWith("/cdn/")) {
                Path file = fixture.resolve(path.substring(path.lastIndexOf('/') + 1));
                if (Files.isRegularFile(file)) {
                    send(exchange, 200, Files.readAllBytes(file), cutSafetensors && path.startsWith("/cdn/"));
                } else {
                    send(exchange, 404, new byte[0], false);
                }
            } else {
                send(exchange, 404, new byte[0], false);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(HttpExchange exchange, int status, byte[] body, boolean cut) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            OutputStream out = exchange.getResponseBody();
            out.write(body, 0, cut ? body.length / 2 : body.length);
            out.flush();
        }
        exchange.close(); // with cut, the connection ends before Content-Length bytes were sent
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private ModelResolver resolver(String endpoint) {
        return ModelResolver.builder().setEndpoint(endpoint).setCacheDir(cache).build();
    }

    @Test
    void downloadsOnceThenWorksOfflineFromTheCache() throws IOException {
        String endpoint = startHub(false);
        Path folder = resolver(endpoint).resolve(REPO);
        assertThat(folder.resolve("model.safetensors")).hasSameBinaryContentAs(
                SharedFixtures.model("tiny-distilbert").resolve("model.safetensors"));
        assertThat(requests).contains("/cdn/model.safetensors");
        server.stop(0);
        server = null;

        Path again = resolver(endpoint).resolve(REPO);
        assertThat(again).isEqualTo(folder);
        try (SparseEncoder encoder = SparseEncoder.open(EncoderSpec.builder()
                .setModel(REPO).setCacheDir(cache.toString()).build())) {
            GoldenParityTest.assertMatches(GoldenParityTest.expected("tiny-distilbert").get(0),
                    encoder.encode(GoldenParityTest.expected("tiny-distilbert").get(0).get("text").asText()),
                    encoder.vocabulary());
        }
    }

    @Test
    void anInterruptedDownloadLeavesNoHalfFile() throws IOException {
        String endpoint = startHub(true);
        assertThatThrownBy(() -> resolver(endpoint).resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("model.safetensors")
                .hasMessageContaining(REPO);
        Path folder = resolver(endpoint).cacheFolder(REPO);
        try (Stream<Path> files = Files.list(folder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
            assertThat(names).contains("config.json", "tokenizer.json").doesNotContain("model.safetensors");
            assertThat(names).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void unreachableHubWithNothingCachedNamesRepoAndFile() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        assertThatThrownBy(() -> resolver("http://127.0.0.1:" + closedPort).resolve(REPO))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json")
                .hasMessageContaining(REPO)
                .hasMessageContaining("local model folder");
    }

    @Test
    void aMissingRepositoryIsAClearError() throws IOException {
        String endpoint = startHub(false);
        assertThatThrownBy(() -> resolver(endpoint).resolve("nobody/nothing"))
                .hasMessageContaining("config.json of model nobody/nothing")
                .hasMessageContaining("HTTP 404");
    }

    @Test
    void aLocalFolderIsUsedAsItIs() {
        Path folder = SharedFixtures.model("tiny-bert");
        assertThat(resolver("http://127.0.0.1:9").resolve(folder.toString())).isEqualTo(folder);
        assertThatThrownBy(() -> resolver("http://127.0.0.1:9").resolve("/no/such/folder"))
                .hasMessageContaining("neither an existing folder nor a hub repo id");
    }
}
