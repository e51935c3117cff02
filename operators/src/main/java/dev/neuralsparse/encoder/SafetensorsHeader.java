package dev.neuralsparse.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON header of a safetensors file: tensor names, dtypes and shapes. Read before the weights
 * are handed to DJL so that a truncated file, a missing tensor or a wrong shape fails with a
 * message naming the file and tensor instead of deep inside native code, and so that dtypes DJL
 * 0.36 cannot load (bf16 aborts the process) are refused up front.
 */
record SafetensorsHeader(Path file, Map<String, TensorInfo> tensors) {

    /** One tensor's entry. */
    record TensorInfo(String dtype, long[] shape) {}

    private static final long MAX_HEADER_BYTES = 100L << 20;

    static SafetensorsHeader read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            DataInputStream data = new DataInputStream(in);
            byte[] lengthBytes = new byte[8];
            data.readFully(lengthBytes);
            long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            long fileSize = Files.size(file);
            if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength + 8 > fileSize) {
                throw new ModelLoadException(file + " is not a safetensors file (header length " + headerLength + ")");
            }
            byte[] header = new byte[(int) headerLength];
            data.readFully(header);
            JsonNode json = new ObjectMapper().readTree(new String(header, StandardCharsets.UTF_8));
            return new SafetensorsHeader(file, parse(json, file, fileSize - 8 - headerLength));
        } catch (NoSuchFileException e) {
            throw new ModelLoadException("Model folder " + file.getParent() + " has no " + file.getFileName(), e);
        } catch (IOException e) {
            throw new ModelLoadException("Cannot read " + file + ": it is truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, TensorInfo> parse(JsonNode json, Path file, long dataBytes) {
        if (json == null || !json.isObject()) {
            throw new ModelLoadException(file + " has a safetensors header that is not a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                continue;
            }
            JsonNode offsets = e.getValue().path("data_offsets");
            if (offsets.size() != 2 || offsets.get(1).asLong() > dataBytes) {
                throw new ModelLoadException(
                        file + " is truncated or corrupt: tensor '" + e.getKey() + "' lies past the end of the file");
            }
            JsonNode shapeNode = e.getValue().path("shape");
            long[] shape = new long[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeNode.get(i).asLong();
            }
            tensors.put(e.getKey(), new TensorInfo(e.getValue().path("dtype").asText(), shape));
        }
        return Collections.unmodifiableMap(tensors);
    }

    boolean has(String name) {
        return tensors.containsKey(name);
    }
}
