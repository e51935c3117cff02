package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** The query side's output records, keyed by query id. */
public final class QuerySerializers {
    private QuerySerializers() {}

    /** {@code {"id": ..., "vector": {...}, "idf_version": n}}. */
    public static class Vectors implements KafkaRecordSerializationSchema<QueryVector> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        public Vectors(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(QueryVector q, KafkaSinkContext context, Long timestamp) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("id", q.id);
            ObjectNode v = out.putObject("vector");
            for (Map.Entry<String, Float> e : q.vector.entrySet()) {
                v.put(e.getKey(), e.getValue());
            }
            out.put("idf_version", q.idfVersion);
            return new ProducerRecord<>(topic, q.id.getBytes(StandardCharsets.UTF_8), out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** {@code {"id": ..., "hits": [{"id": ..., "score": ...}, ...]}}, best first. */
    public static class Results implements KafkaRecordSerializationSchema<SearchResult> {
        private static final long serialVersionUID = 1L;
        private final String topic;

        public Results(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(SearchResult r, KafkaSinkContext context, Long timestamp) {
            ObjectNode out = new ObjectMapper().createObjectNode();
            out.put("id", r.queryId);
            ArrayNode hits = out.putArray("hits");
            for (int i = 0; i < r.hitIds.length; i++) {
                hits.addObject().put("id", r.hitIds[i]).put("score", r.scores[i]);
            }
            return new ProducerRecord<>(topic, r.queryId.getBytes(StandardCharsets.UTF_8), out.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
