package dev.neuralsparse.flink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.impl.nio.client.HttpAsyncClientBuilder;
import org.opensearch.client.RestClient;

/**
 * How every client of the project reaches OpenSearch, built once from one immutable spec so that
 * the sink, index setup, the query path's search and the commands cannot drift apart: the URL
 * ({@code http} or {@code https}), TLS trust (the system trust store, a private CA in PEM, or none
 * at all for development) and basic authentication.
 *
 * <p>The password is part of the serialized spec (the TaskManagers' clients need it) but never of
 * {@link #toString()}, of an exception message or of the job's configuration: it comes from a file
 * or the environment, not from a program argument.
 *
 * <pre>{@code
 * OpenSearchConnection os = OpenSearchConnection.builder()
 *         .setUrl("https://search.example.com:9200")
 *         .setCredentials("ingest", Files.readString(passwordFile).strip())
 *         .setCaPem(Path.of("root-ca.pem"))
 *         .build();
 * HttpClient http = os.newHttpClient(Duration.ofSeconds(10));
 * }</pre>
 */
public final class OpenSearchConnection implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String url;
    private final String username;
    private final String password;
    private final String caPem;
    private final boolean insecure;

    private OpenSearchConnection(Builder b) {
        this.url = b.url.endsWith("/") ? b.url.substring(0, b.url.length() - 1) : b.url;
        this.username = b.username;
        this.password = b.password;
        this.caPem = b.caPem;
        this.insecure = b.insecure;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A plain connection to {@code url}: no credentials, the system trust store. */
    public static OpenSearchConnection of(String url) {
        return builder().setUrl(url).build();
    }

    /** The base URL, without a trailing slash. */
    public String url() {
        return url;
    }

    /** {@code url() + "/" + path}. */
    public URI uri(String path) {
        return URI.create(url + "/" + path);
    }

    public HttpHost httpHost() {
        return HttpHost.create(url);
    }

    /** A JDK HTTP client that trusts what this spec says and follows no redirect. */
    public HttpClient newHttpClient(Duration connectTimeout) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout);
        if (url.startsWith("https:")) {
            // Insecure trusts any certificate but the JDK client still checks the host name: turning
            // that off takes a JVM-wide property, which would weaken every other client of the JVM.
            b.sslContext(sslContext());
        }
        return b.build();
    }

    /** Adds the {@code Authorization} header when the spec has credentials. */
    public HttpRequest.Builder authorize(HttpRequest.Builder request) {
        if (username != null) {
            String token = Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
            request.header("Authorization", "Basic " + token);
        }
        return request;
    }

    /** The low-level REST client of the bulk sink: the same trust and credentials on its Apache HTTP client. */
    public RestClient newRestClient() {
        return RestClient.builder(httpHost()).setHttpClientConfigCallback(this::configure).build();
    }

    private HttpAsyncClientBuilder configure(HttpAsyncClientBuilder http) {
        if (username != null) {
            BasicCredentialsProvider credentials = new BasicCredentialsProvider();
            credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(username, password));
            http.setDefaultCredentialsProvider(credentials);
        }
        if (url.startsWith("https:")) {
            http.setSSLContext(sslContext());
            if (insecure) {
                http.setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE);
            }
        }
        return http;
    }

    /** The system trust store, the CA of the spec alone, or (insecure) anything. */
    SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (insecure) {
                context.init(null, new TrustManager[] {new TrustEverything()}, new SecureRandom());
            } else if (caPem != null) {
                TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                trust.init(caStore());
                context.init(null, trust.getTrustManagers(), new SecureRandom());
            } else {
                context.init(null, null, null);
            }
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for " + url + ": " + e.getMessage(), e);
        }
    }

    private KeyStore caStore() throws GeneralSecurityException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("--opensearch-ca holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A failure to reach OpenSearch said as what it is: a TLS trust problem names {@code --opensearch-ca};
     * anything else is returned as it is. Never includes the password.
     */
    public RuntimeException explain(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return new ClusterAccessException("TLS trust problem with OpenSearch at " + url + ": its certificate is not"
                        + " trusted (" + t.getMessage() + "); pass --opensearch-ca FILE.pem with the CA that signed it"
                        + (insecure ? "" : ", or --opensearch-insecure for development only"), failure);
            }
        }
        return failure instanceof RuntimeException r ? r : new IllegalStateException(failure.getMessage(), failure);
    }

    /** The message for an HTTP 401/403 from {@code url}. */
    public String authenticationFailed(int status) {
        return "authentication failed against OpenSearch at " + url + " (HTTP " + status + ")"
                + (username == null ? ": it asks for credentials; pass --opensearch-username and the password in"
                        + " --opensearch-password-file or OPENSEARCH_PASSWORD"
                        : " as user '" + username + "': check --opensearch-username and the password");
    }

    /** Never the password. */
    @Override
    public String toString() {
        return "OpenSearchConnection{" + url + (username == null ? "" : ", user " + username + ", password ***")
                + (caPem == null ? "" : ", private CA") + (insecure ? ", INSECURE" : "") + "}";
    }

    /** {@code setUrl} is required. */
    public static final class Builder {
        private String url;
        private String username;
        private String password;
        private String caPem;
        private boolean insecure;

        public Builder setUrl(String url) {
            this.url = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder setCredentials(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        /** Trusts only the CA certificate(s) in this PEM file instead of the system trust store. */
        public Builder setCaPem(Path file) {
            try {
                this.caPem = Files.readString(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --opensearch-ca " + file + ": " + e.getMessage(), e);
            }
            return this;
        }

        /**
         * Trusts any certificate (the sink also skips host name checks; the JDK clients of index
         * setup and search still check the host name): for development only.
         */
        public Builder setInsecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        public OpenSearchConnection build() {
            if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
                throw new IllegalArgumentException("the OpenSearch URL must start with http:// or https://, got '" + url + "'");
            }
            if (username != null && (password == null || password.isEmpty())) {
                throw new IllegalArgumentException("--opensearch-username " + username + " needs a password: put it in"
                        + " --opensearch-password-file or the environment variable OPENSEARCH_PASSWORD");
            }
            if (url.contains("@")) {
                throw new IllegalArgumentException("put no credentials in the OpenSearch URL (it is logged): use"
                        + " --opensearch-username and --opensearch-password-file or OPENSEARCH_PASSWORD");
            }
            OpenSearchConnection built = new OpenSearchConnection(this);
            if (caPem != null) {
                built.sslContext(); // a bad PEM fails here, at start, not in the first request
            }
            return built;
        }
    }

    /** Development only (--opensearch-insecure). */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
