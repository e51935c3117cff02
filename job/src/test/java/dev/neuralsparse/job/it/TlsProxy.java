package dev.neuralsparse.job.it;

import dev.neuralsparse.job.stack.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real TLS-terminating, authenticating reverse proxy in front of the test OpenSearch: nginx from
 * Debian's packages (installed when missing, as OpenSearch's security plugin is not on Maven
 * Central), with a CA and server certificate that {@code openssl} generates for the test and one
 * basic-auth user. What many deployments put in front of OpenSearch.
 */
final class TlsProxy implements AutoCloseable {
    static final String USER = "ingest";
    final Path dir;
    final Path caPem;
    final int port;
    final String password;
    private final Process nginx;

    private TlsProxy(Path dir, Path caPem, int port, String password, Process nginx) {
        this.dir = dir;
        this.caPem = caPem;
        this.port = port;
        this.password = password;
        this.nginx = nginx;
    }

    String url() {
        return "https://127.0.0.1:" + port;
    }

    /** Proxies https://127.0.0.1:PORT (user {@value #USER}, {@code password}) to {@code opensearchUrl}. */
    static TlsProxy start(String opensearchUrl, String password) throws Exception {
        String nginxBinary = ensureNginx();
        Path dir = Files.createTempDirectory("neural-sparse-tls-");
        Processes.tool(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=neural-sparse test CA");
        Processes.tool(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
                "-subj", "/CN=localhost");
        Files.writeString(dir.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        Processes.tool(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "server.pem", "-days", "2", "-extfile", "san.ext");
        String hash = Processes.tool(dir, "openssl", "passwd", "-apr1", password).strip();
        Files.writeString(dir.resolve("htpasswd"), USER + ":" + hash + "\n");
        int port = FreePorts.next(); // closed before nginx binds it: an open one would take connections
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "daemon off;",
                isRoot() ? "user root;" : "",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events {}",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + dir.resolve("tmp") + ";",
                "  proxy_temp_path " + dir.resolve("tmp") + ";",
                "  fastcgi_temp_path " + dir.resolve("tmp") + ";",
                "  uwsgi_temp_path " + dir.resolve("tmp") + ";",
                "  scgi_temp_path " + dir.resolve("tmp") + ";",
                "  client_max_body_size 100m;",
                "  server {",
                "    listen 127.0.0.1:" + port + " ssl;",
                "    ssl_certificate " + dir.resolve("server.pem") + ";",
                "    ssl_certificate_key " + dir.resolve("server.key") + ";",
                "    auth_basic \"OpenSearch\";",
                "    auth_basic_user_file " + dir.resolve("htpasswd") + ";",
                "    location / {",
                "      proxy_pass " + opensearchUrl + ";",
                "      proxy_set_header Authorization \"\";",
                "    }",
                "  }",
                "}", ""));
        Process nginx = new ProcessBuilder(nginxBinary, "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!listening(port)) {
            if (!nginx.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                        + Files.readString(dir.resolve("error.log")));
            }
            Thread.sleep(100);
        }
        return new TlsProxy(dir, dir.resolve("ca.pem"), port, password, nginx);
    }

    private static boolean listening(int port) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** nginx from PATH or /usr/sbin, else installed from Debian's packages (root only: CI and these machines). */
    private static String ensureNginx() throws Exception {
        for (String candidate : List.of("/usr/sbin/nginx", "/usr/bin/nginx")) {
            if (Files.isExecutable(Paths.get(candidate))) {
                return candidate;
            }
        }
        if (!isRoot()) {
            throw new IllegalStateException("nginx is not installed and this user cannot install it: apt-get install nginx-light");
        }
        Path log = Files.createTempFile("apt-nginx", ".log");
        for (List<String> step : List.of(List.of("apt-get", "update", "-qq"),
                List.of("apt-get", "install", "-y", "-qq", "nginx-light"))) {
            ProcessBuilder pb = new ProcessBuilder(step).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            if (!pb.start().waitFor(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException(step + " did not finish: " + Files.readString(log));
            }
        }
        if (!Files.isExecutable(Paths.get("/usr/sbin/nginx"))) {
            throw new IllegalStateException("apt-get install nginx-light did not install nginx: " + Files.readString(log));
        }
        return "/usr/sbin/nginx";
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Override
    public void close() throws Exception {
        nginx.destroy();
        nginx.waitFor(10, TimeUnit.SECONDS);
        TestStack.deleteTree(dir);
    }
}
