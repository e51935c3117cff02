package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A dead letter as a JSON record keyed like the original:
 * {@code {"reason", "stage", "document_id", "source": {"topic", "partition", "offset",
 * "timestamp"}, "value"}}, where {@code value} is the original value as text, or
 * {@code value_base64} when it was not valid UTF-8, so that nothing of it is lost.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private transient ObjectMapper json;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, letter.source == null ? null : letter.source.key, toJson(letter));
    }

    byte[] toJson(DeadLetter letter) {
        if (json == null) {
            json = new ObjectMapper();
        }
        ObjectNode out = json.createObjectNode();
        out.put("reason", letter.reason);
        out.put("stage", letter.stage.name().toLowerCase());
        out.put("document_id", letter.documentId);
        if (letter.source != null) {
            ObjectNode source = out.putObject("source");
            source.put("topic", letter.source.topic);
            source.put("partition", letter.source.partition);
            source.put("offset", letter.source.offset);
            source.put("timestamp", letter.source.timestamp);
            putValue(out, letter.source.value);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void putValue(ObjectNode out, byte[] value) {
        if (value == null) {
            out.putNull("value");
            return;
        }
        try {
            out.put("value", Utf8.decode(value));
        } catch (CharacterCodingException e) {
            out.put("value_base64", Base64.getEncoder().encodeToString(value));
        }
    }
}
