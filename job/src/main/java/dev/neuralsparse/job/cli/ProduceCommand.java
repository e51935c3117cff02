package dev.neuralsparse.job.cli;

import dev.neuralsparse.flink.KafkaConnection;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
                "Usage: neural-sparse produce --topic T [--kafka HOST:PORT] [--kafka-properties FILE] [--input FILE.jsonl]",
                "                             [--id-field F]",
                "       neural-sparse produce --topic T --delete ID[,ID...]",
                "",
                "Sends each non-blank line as one record, as it is (a line that is not JSON is sent too:",
                "that is how the dead-letter path is exercised). The key is the id field (default id,",
                "then _id) when the line is a JSON object that has one.",
                "",
                "  --kafka HOST:PORT   bootstrap servers (default: bootstrap.servers of --kafka-properties,",
                "                      else 127.0.0.1:9092)",
                "  --kafka-properties FILE  Kafka client properties (security.protocol, sasl.*, ssl.*)",
                "  --topic T           topic to write",
                "  --input FILE        JSON lines (default stdin)",
                "  --id-field F        key field (default id, then _id)",
                "  --delete ID,...     send a tombstone (key ID, no value) for each id instead: the job",
                "                      deletes those documents from the index");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv, Set.of("kafka", "kafka-properties", "topic", "input", "id-field", "delete"), Set.of());
        String topic = args.require("topic");
        KafkaConnection kafka = args.kafka();
        if (args.get("delete", null) != null) {
            List<String> ids = Arrays.stream(args.get("delete", null).split(",")).map(String::strip)
                    .filter(id -> !id.isEmpty()).toList();
            err.println("sent " + KafkaTopics.tombstones(kafka, topic, ids) + " tombstones to " + topic);
            return 0;
        }
        long sent;
        try (BufferedReader reader = IoPaths.input(args.get("input", null), in)) {
            sent = KafkaTopics.produce(kafka, topic, reader.lines(), args.get("id-field", "id"));
        }
        err.println("sent " + sent + " records to " + topic);
        return 0;
    }
}
