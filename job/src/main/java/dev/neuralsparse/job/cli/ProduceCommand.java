package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** {@code neural-sparse produce}: JSON lines into a topic, keyed by the document id. */
final class ProduceCommand implements Command {
    @Override
    public String name() {
        return "produce";
    }

    @Override
    public String summary() {
        return "load a JSON-lines file into a Kafka topic (key = the id field)";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse produce --topic T [--kafka HOST:PORT] [--input FILE.jsonl] [--id-field F]",
                "",
                "Sends each non-blank line as one record, as it is (a line that is not JSON is sent too:",
                "that is how the dead-letter path is exercised). The key is the id field (default id,",
                "then _id) when the line is a JSON object that has one.",
                "",
                "  --kafka HOST:PORT   bootstrap servers (default 127.0.0.1:9092)",
                "  --topic T           topic to write",
                "  --input FILE        JSON lines (default stdin)",
                "  --id-field F        key field (default id, then _id)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("kafka", "topic", "input", "id-field"), Set.of());
        String topic = args.require("topic");
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("kafka", "127.0.0.1:9092"));
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        String idField = args.get("id-field", "id");
        ObjectMapper json = new ObjectMapper();
        long sent = 0;
        try (BufferedReader reader = IoPaths.input(args.get("input", null), in);
                KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                producer.send(new ProducerRecord<>(topic, key(json, line, idField), line.getBytes(StandardCharsets.UTF_8)));
                sent++;
            }
            producer.flush();
        }
        err.println("sent " + sent + " records to " + topic);
        return 0;
    }

    private static byte[] key(ObjectMapper json, String line, String idField) {
        try {
            JsonNode doc = json.readTree(line);
            for (String field : new String[] {idField, "_id"}) {
                JsonNode id = doc == null ? null : doc.get(field);
                if (id != null && (id.isTextual() || id.isIntegralNumber())) {
                    return id.asText().getBytes(StandardCharsets.UTF_8);
                }
            }
        } catch (java.io.IOException e) {
            // not JSON: sent without a key, and the job will dead-letter it with its reason
        }
        return null;
    }
}
