package dev.neuralsparse.job.stack;

import java.util.Map;

/**
 * A listener the local broker opens besides its plaintext one, e.g. {@code SASL_SSL} for tests of
 * secured clients: its security protocol (also its listener name), its port on 127.0.0.1, and the
 * broker settings it needs, with Kafka's own keys ({@code listener.name.sasl_ssl.ssl.keystore.location},
 * ...). The broker talks to itself over the plaintext listener.
 */
public record KafkaListener(String protocol, int port, Map<String, String> settings) {
    public KafkaListener {
        settings = Map.copyOf(settings);
    }

    String address() {
        return protocol + "://127.0.0.1:" + port;
    }

    /** The bootstrap servers of this listener. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }
}
