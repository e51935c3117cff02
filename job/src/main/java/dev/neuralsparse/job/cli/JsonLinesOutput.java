package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;

/** Writes {@code {"id": ..., "vector": {key: weight}}} lines; floats keep their full precision. */
final class JsonLinesOutput implements AutoCloseable {
    private final JsonGenerator json;

    JsonLinesOutput(OutputStream out) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        this.json = mapper.getFactory().createGenerator(out);
        this.json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        // No separator between root values: each line is exactly one JSON document.
        this.json.setPrettyPrinter(new com.fasterxml.jackson.core.util.MinimalPrettyPrinter(""));
    }

    void write(JsonNode id, Map<String, Float> vector) throws IOException {
        json.writeStartObject();
        json.writeFieldName("id");
        if (id == null) {
            json.writeNull();
        } else {
            json.writeTree(id);
        }
        json.writeObjectFieldStart("vector");
        for (Map.Entry<String, Float> e : vector.entrySet()) {
            json.writeNumberField(e.getKey(), e.getValue()); // float: shortest text that reads back exactly
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeRaw('\n');
    }

    void flush() throws IOException {
        json.flush();
    }

    @Override
    public void close() throws IOException {
        json.close();
    }
}
