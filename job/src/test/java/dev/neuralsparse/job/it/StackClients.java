package dev.neuralsparse.job.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.job.stack.NewTopics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Small clients for the tests: topics, records in and out, and OpenSearch over HTTP. */
public final class StackClients {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String kafka;
    private final String opensearch;
    private final HttpClient http = HttpClient.newHttpClient();

    public StackClients(String kafka, String opensearch) {
        this.kafka = kafka;
        this.opensearch = opensearch;
    }

    public static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public void createTopic(String topic, int partitions) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            NewTopics.create(admin, List.of(new NewTopic(topic, partitions, (short) 1)));
        }
    }

    /** The names of all topics. */
    public List<String> topics() throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        try (Admin admin = Admin.create(p)) {
            return List.copyOf(admin.listTopics().names().get());
        }
    }

    /** A fresh topic named after {@code prefix}, and its dead-letter topic {@code <topic>-dlq}. */
    public String createTopicWithDeadLetters(String prefix, int partitions) throws Exception {
        String topic = unique(prefix);
        createTopic(topic, partitions);
        createTopic(topic + "-dlq", 1);
        return topic;
    }

    /** Sends records (key, value); values may be any bytes. */
    public void produce(String topic, List<byte[][]> records) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        p.put("max.request.size", Integer.toString(16 << 20));
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (byte[][] r : records) {
                producer.send(new ProducerRecord<>(topic, r[0], r[1]));
            }
            producer.flush();
        }
    }

    /** All records of a topic from the beginning, read until {@code expected} arrived or time ran out. */
    public List<JsonNode> consumeJson(String topic, int expected, Duration timeout) throws IOException {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka);
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(JSON.readTree(new String(r.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return out;
    }

    public JsonNode opensearch(String method, String path, String body) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(opensearch + "/" + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    /** Every document of an index (refreshed first), as _id -> _source. */
    public java.util.Map<String, JsonNode> allDocuments(String index) throws Exception {
        opensearch("POST", index + "/_refresh", null);
        JsonNode r = opensearch("POST", index + "/_search", "{\"size\": 10000, \"query\": {\"match_all\": {}}}");
        java.util.Map<String, JsonNode> docs = new java.util.HashMap<>();
        for (JsonNode hit : r.path("hits").path("hits")) {
            docs.put(hit.get("_id").asText(), hit.get("_source"));
        }
        return docs;
    }
}
