package dev.neuralsparse.flink;

import java.io.Serializable;
import java.util.List;

/**
 * How input JSON maps to a document: which field is the id ({@code id}, then {@code _id}, then
 * the Kafka key), which fields hold the text (joined with a space, as BEIR joins title and
 * text), which field receives the vector, the largest record accepted, and for changing streams
 * the field whose {@code true} marks a deletion and the field that holds the version (null: none,
 * and the Kafka offset is the version).
 */
public record DocumentFormat(String idField, List<String> textFields, String outputField, int maxRecordBytes,
        String deleteField, String versionField) implements Serializable {

    public static final String DEFAULT_ID_FIELD = "id";
    public static final String FALLBACK_ID_FIELD = "_id";
    public static final String DEFAULT_OUTPUT_FIELD = "sparse_embedding";
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    public DocumentFormat {
        if (idField == null || idField.isBlank()) {
            throw new IllegalArgumentException("id field must be named");
        }
        if (textFields == null || textFields.isEmpty() || textFields.stream().anyMatch(f -> f == null || f.isBlank())) {
            throw new IllegalArgumentException("at least one text field must be named, got " + textFields);
        }
        if (outputField == null || outputField.isBlank() || outputField.contains(".")) {
            throw new IllegalArgumentException("output field must be a plain field name, got '" + outputField + "'");
        }
        if (textFields.contains(outputField)) {
            throw new IllegalArgumentException("output field '" + outputField + "' is also a text field");
        }
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("max record bytes must be positive, got " + maxRecordBytes);
        }
        deleteField = blankToNull(deleteField);
        versionField = blankToNull(versionField);
        textFields = List.copyOf(textFields);
    }

    public DocumentFormat(String idField, List<String> textFields, String outputField, int maxRecordBytes) {
        this(idField, textFields, outputField, maxRecordBytes, null, null);
    }

    public static DocumentFormat defaults() {
        return new DocumentFormat(DEFAULT_ID_FIELD, List.of("text"), DEFAULT_OUTPUT_FIELD, DEFAULT_MAX_RECORD_BYTES);
    }

    private static String blankToNull(String field) {
        return field == null || field.isBlank() ? null : field;
    }
}
