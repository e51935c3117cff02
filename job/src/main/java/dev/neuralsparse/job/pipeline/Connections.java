package dev.neuralsparse.job.pipeline;

import dev.neuralsparse.flink.KafkaConnection;
import dev.neuralsparse.flink.OpenSearchConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the connection specs of a job's configuration, once, in the client that submits it. */
public final class Connections {
    private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
    /** Where the password comes from when no file names it. */
    public static final String PASSWORD_ENV = "OPENSEARCH_PASSWORD";

    private Connections() {}

    /**
     * The OpenSearch connection of {@code conf}. The password is read here, from
     * {@code --opensearch-password-file} or {@code $OPENSEARCH_PASSWORD}, and travels inside the
     * serialized functions and sink, never in the configuration that Flink shows and logs.
     */
    public static OpenSearchConnection opensearch(ReadableConfig conf) {
        OpenSearchConnection.Builder b = OpenSearchConnection.builder().setUrl(conf.get(JobOptions.OPENSEARCH));
        String user = conf.get(JobOptions.OPENSEARCH_USERNAME);
        if (user != null && !user.isBlank()) {
            b.setCredentials(user, password(conf.get(JobOptions.OPENSEARCH_PASSWORD_FILE)));
        }
        if (conf.get(JobOptions.OPENSEARCH_CA) != null) {
            b.setCaPem(Path.of(conf.get(JobOptions.OPENSEARCH_CA)));
        }
        if (conf.get(JobOptions.OPENSEARCH_INSECURE)) {
            LOG.warn("--opensearch-insecure: the TLS certificate of {} is NOT checked; anyone on the path can"
                    + " read and change what is indexed. Development only.", conf.get(JobOptions.OPENSEARCH));
            b.setInsecure(true);
        }
        return b.build();
    }

    /**
     * The Kafka connection of {@code conf}: {@code --kafka-properties} is read here, and its
     * settings (secrets included) travel inside the serialized sources and sinks, never in the
     * configuration that Flink shows and logs.
     */
    public static KafkaConnection kafka(ReadableConfig conf) {
        String file = conf.get(JobOptions.KAFKA_PROPERTIES);
        return KafkaConnection.of(conf.getOptional(JobOptions.KAFKA).orElse(null),
                file == null || file.isBlank() ? null : Path.of(file));
    }

    private static String password(String file) {
        if (file == null || file.isBlank()) {
            return System.getenv(PASSWORD_ENV);
        }
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --opensearch-password-file " + file + ": " + e.getMessage(), e);
        }
    }
}
