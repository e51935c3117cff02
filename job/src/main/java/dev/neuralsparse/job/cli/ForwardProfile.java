package dev.neuralsparse.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time of a forward pass goes, per kind of operation, from the trace of PyTorch's own
 * profiler (the one DJL starts and stops): each op's self time (its duration less that of the ops
 * it called) summed by kind: the encoder's linear layers, attention, the vocabulary projection and
 * its max over positions, normalization and activations, copies. What no op accounts for is time
 * spent in Java between ops (tokenization, batching, building the result maps).
 */
final class ForwardProfile {
    private final Map<String, Double> microsByKind = new LinkedHashMap<>();
    private final Map<String, Double> microsByOp = new LinkedHashMap<>();
    private double opMicros;

    /** Reads a chrome trace written by {@code JniUtils.stopProfile}; {@code vocab} tells the head's ops apart. */
    static ForwardProfile read(Path trace, int vocab) throws IOException {
        JsonNode events = new ObjectMapper().readTree(trace.toFile());
        Map<String, List<JsonNode>> byThread = new LinkedHashMap<>();
        for (JsonNode e : events) {
            if ("X".equals(e.path("ph").asText())) {
                byThread.computeIfAbsent(e.path("tid").asText(), t -> new ArrayList<>()).add(e);
            }
        }
        ForwardProfile profile = new ForwardProfile();
        byThread.values().forEach(thread -> profile.add(thread, vocab));
        return profile;
    }

    /** Self times of one thread's events: nesting is by time, an event inside another is its child. */
    private void add(List<JsonNode> events, int vocab) {
        events.sort(Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
                .thenComparing(e -> -e.path("dur").asDouble()));
        List<double[]> open = new ArrayList<>(); // {end, index}
        double[] self = new double[events.size()];
        for (int i = 0; i < events.size(); i++) {
            double ts = events.get(i).path("ts").asDouble();
            double dur = events.get(i).path("dur").asDouble();
            while (!open.isEmpty() && open.get(open.size() - 1)[0] <= ts) {
                open.remove(open.size() - 1);
            }
            self[i] = dur;
            if (open.isEmpty()) {
                opMicros += dur;
            } else {
                self[(int) open.get(open.size() - 1)[1]] -= dur;
            }
            open.add(new double[] {ts + dur, i});
        }
        for (int i = 0; i < events.size(); i++) {
            String name = events.get(i).path("name").asText();
            microsByOp.merge(name, self[i], Double::sum);
            microsByKind.merge(kind(name, events.get(i).path("shape").toString(), vocab), self[i], Double::sum);
        }
    }

    private static String kind(String op, String shapes, int vocab) {
        boolean head = shapes.contains(Integer.toString(vocab));
        return switch (op) {
            case "aten::addmm", "aten::mm" -> head ? "vocabulary projection (matmul)" : "encoder linear layers (matmul)";
            case "aten::max", "aten::maximum", "aten::amax" -> head ? "max over positions" : "other";
            case "aten::bmm", "aten::_softmax", "aten::softmax" -> "attention (scores, softmax, context)";
            case "aten::native_layer_norm", "aten::layer_norm" -> "layer norm";
            case "aten::gelu", "aten::relu", "aten::log1p", "aten::log", "aten::tanh" -> "activations";
            case "aten::copy_", "aten::clone", "aten::contiguous", "aten::cat", "aten::_to_copy", "aten::empty",
                    "aten::empty_strided", "aten::index", "aten::slice", "aten::select", "aten::as_strided" ->
                    "copies, slices and allocation";
            case "aten::add", "aten::add_", "aten::sub", "aten::mul", "aten::mul_" -> head ? "max over positions"
                    : "residuals, bias and mask arithmetic";
            case "aten::embedding", "aten::index_select" -> "embeddings";
            case "aten::nonzero", "aten::gt", "aten::where", "aten::masked_select", "aten::item",
                    "aten::_local_scalar_dense" -> "sparse extraction";
            default -> "other";
        };
    }

    /** One line per kind, largest first, with the share of {@code wallMicros}; then Java's own share. */
    void print(PrintStream out, double wallMicros, String what) {
        out.printf(Locale.ROOT, "profile of %s: %.1f ms wall, %.1f ms in PyTorch ops%n", what, wallMicros / 1e3,
                opMicros / 1e3);
        microsByKind.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.printf(Locale.ROOT, "  %-40s %9.1f ms  %5.1f%%%n", e.getKey(), e.getValue() / 1e3,
                        100 * e.getValue() / wallMicros));
        double java = Math.max(0, wallMicros - opMicros);
        out.printf(Locale.ROOT, "  %-40s %9.1f ms  %5.1f%%%n", "Java between ops (batching, result maps)", java / 1e3,
                100 * java / wallMicros);
        out.println("  top ops by self time:");
        microsByOp.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(8)
                .forEach(e -> out.printf(Locale.ROOT, "    %-36s %9.1f ms%n", e.getKey(), e.getValue() / 1e3));
    }
}
