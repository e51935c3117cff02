package dev.neuralsparse.encoder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local server that answers as the Hugging Face hub does for one repository folder, for tests
 * of the download path without network: {@code GET /api/models/REPO/revision/REV} names the commit
 * of a branch or tag; {@code /REPO/resolve/COMMIT/PATH} serves a file with its git blob SHA-1 as
 * {@code ETag}, except {@code *.safetensors} (LFS files), which redirect to {@code /cdn/} with
 * their SHA-256 in {@code X-Linked-Etag}, as the hub's answers before its CDN do. Faults on the CDN:
 * a body cut short, or one byte changed.
 */
final class LocalHub implements AutoCloseable {
    enum CdnFault { NONE, CUT, CORRUPT }

    final String repo;
    final Path folder;
    final String commit;
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> refs;
    private final HttpServer server;
    private volatile CdnFault fault = CdnFault.NONE;

    /** Serves {@code folder} as {@code repo} at {@code commit}, which branches and tags {@code refs} name. */
    LocalHub(String repo, Path folder, String commit, Map<String, String> refs) throws IOException {
        this.repo = repo;
        this.folder = folder;
        this.commit = commit;
        this.refs = Map.copyOf(refs);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    /** One commit that {@code main} names. */
    static LocalHub serving(String repo, Path folder) throws IOException {
        return new LocalHub(repo, folder, "0123456789abcdef0123456789abcdef01234567",
                Map.of(ModelResolver.DEFAULT_REVISION, "0123456789abcdef0123456789abcdef01234567"));
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    void setCdnFault(CdnFault fault) {
        this.fault = fault;
    }

    /** The paths inside the repository that were downloaded (after the hub's redirect, if any). */
    List<String> downloaded() {
        String prefix = "/" + repo + "/resolve/" + commit + "/";
        return requests.stream().filter(r -> r.startsWith(prefix)).map(r -> r.substring(prefix.length())).toList();
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.add(path);
        String api = "/api/models/" + repo + "/revision/";
        String resolve = "/" + repo + "/resolve/" + commit + "/";
        if (path.startsWith(api) && refs.containsKey(path.substring(api.length()))) {
            send(exchange, 200, ("{\"id\": \"" + repo + "\", \"sha\": \"" + refs.get(path.substring(api.length())) + "\"}")
                    .getBytes(), false);
        } else if (path.startsWith(resolve) && file(path.substring(resolve.length())) != null) {
            Path file = file(path.substring(resolve.length()));
            exchange.getResponseHeaders().add("X-Repo-Commit", commit);
            if (file.getFileName().toString().endsWith(".safetensors")) {
                exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + FileDigests.sha256(file) + "\"");
                exchange.getResponseHeaders().add("X-Linked-Size", Long.toString(Files.size(file)));
                exchange.getResponseHeaders().add("Location", "/cdn/" + path.substring(resolve.length()));
                send(exchange, 302, new byte[0], false);
            } else {
                exchange.getResponseHeaders().add("ETag", "\"" + FileDigests.gitBlobSha1(file) + "\"");
                send(exchange, 200, Files.readAllBytes(file), false);
            }
        } else if (path.startsWith("/cdn/") && file(path.substring(5)) != null) {
            byte[] body = Files.readAllBytes(file(path.substring(5)));
            if (fault == CdnFault.CORRUPT) {
                body[body.length / 2] ^= 1;
            }
            send(exchange, 200, body, fault == CdnFault.CUT);
        } else {
            send(exchange, 404, new byte[0], false);
        }
    }

    private Path file(String inRepo) {
        Path file = folder.resolve(inRepo).normalize();
        return file.startsWith(folder) && Files.isRegularFile(file) ? file : null;
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

    @Override
    public void close() {
        server.stop(0);
    }
}
