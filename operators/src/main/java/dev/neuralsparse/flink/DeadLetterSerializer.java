package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import java.util.Base64;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A dead letter as a JSON record keyed like the original:
 * {@code {"reason", "stage", "document_id", "source": {"topic", "partition", "offset",
 * "timestamp"}, "value"}}, where {@code value} is the original value as text, or
 * {@code value_base64} when it was not valid UTF-8.
 *
 * <p>A dead letter always fits in a Kafka record: the value is cut to its first
 * {@value #MAX_VALUE_BYTES} bytes ({@code "value_truncated": true} and {@code "value_bytes"}
 * then say so), and the reason to {@value #MAX_REASON_CHARS} characters. The source coordinates
 * always identify the whole original record; a huge record can never make the dead-letter producer
 * fail and the job restart on it forever.
 */
public class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {
    private static final long serialVersionUID = 1L;

    public static final int MAX_VALUE_BYTES = 64 << 10;
    public static final int MAX_REASON_CHARS = 8 << 10;

    private final String topic;
    private transient ObjectMapper json;
    private transient MetricGroup metrics;
    private transient Map<String, Counter> counters;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    /** Counts dead letters per stage and reason class: {@code neuralSparse.stage.<s>.reason.<class>.deadLetters}. */
    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) {
        metrics = context.getMetricGroup().addGroup("neuralSparse");
        counters = new HashMap<>();
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        if (counters != null) {
            String stage = letter.stage.name().toLowerCase(java.util.Locale.ROOT);
            counters.computeIfAbsent(stage + "/" + letter.reasonClass,
                    k -> metrics.addGroup("stage", stage).addGroup("reason", String.valueOf(letter.reasonClass))
                            .counter("deadLetters")).inc();
        }
        return new ProducerRecord<>(topic, null, letter.source == null ? null : letter.source.key, toJson(letter));
    }

    byte[] toJson(DeadLetter letter) {
        if (json == null) {
            json = new ObjectMapper();
        }
        ObjectNode out = json.createObjectNode();
        out.put("reason", cut(letter.reason));
        out.put("stage", letter.stage.name().toLowerCase(java.util.Locale.ROOT));
        out.put("reason_class", letter.reasonClass);
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

    private static String cut(String reason) {
        return reason == null || reason.length() <= MAX_REASON_CHARS ? reason
                : reason.substring(0, MAX_REASON_CHARS) + "... (cut)";
    }

    private static void putValue(ObjectNode out, byte[] value) {
        if (value == null) {
            out.putNull("value");
            return;
        }
        byte[] kept = value.length <= MAX_VALUE_BYTES ? value : Arrays.copyOf(value, utf8Boundary(value, MAX_VALUE_BYTES));
        try {
            out.put("value", Utf8.decode(kept));
        } catch (CharacterCodingException e) {
            kept = Arrays.copyOf(value, Math.min(value.length, MAX_VALUE_BYTES));
            out.put("value_base64", Base64.getEncoder().encodeToString(kept));
        }
        if (kept.length < value.length) {
            out.put("value_truncated", true);
            out.put("value_bytes", value.length);
        }
    }

    /** The largest cut at or below {@code limit} that does not split a UTF-8 sequence. */
    private static int utf8Boundary(byte[] bytes, int limit) {
        int end = limit;
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        return end;
    }
}
