package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.SparseEncoder;
import dev.neuralsparse.encoder.SparseVector;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code neural-sparse encode}: document vectors for JSON lines, in input order. */
final class EncodeCommand implements Command {
    /** Documents read and encoded together: enough for full, length-sorted batches. */
    private static final int CHUNK = 1024;

    @Override
    public String name() {
        return "encode";
    }

    @Override
    public String summary() {
        return "document vectors for JSON lines {\"id\", \"text\"}";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse encode --model DIR|REPO_ID [options] [--input FILE] [--output FILE]",
                "",
                "Reads JSON lines {\"id\": ..., \"text\": \"...\"} (stdin by default) and writes",
                "{\"id\": ..., \"vector\": {\"token\": weight, ...}} (stdout by default) in input order,",
                "non-zero weights only. A line that is not JSON or has no string \"text\" is reported on",
                "stderr with its line number; the others are still encoded and the exit code is 2.",
                "",
                ModelOptions.HELP,
                "  --keys K                tokens (default, for rank_features) or ids (for sparse_vector)",
                "  --input FILE            JSON lines to read (default stdin)",
                "  --output FILE           where to write (default stdout)");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        Set<String> valued = new HashSet<>(ModelOptions.NAMES);
        valued.addAll(Set.of("keys", "input", "output"));
        CliArgs args = CliArgs.parse(name(), argv, valued, Set.of());
        boolean tokenKeys = keys(args);
        ModelOptions.applyThreads(args);
        EncoderSpec spec = ModelOptions.spec(args);
        String inputPath = args.get("input", null);
        JsonLinesInput input = new JsonLinesInput(IoPaths.input(inputPath, in), IoPaths.describe(inputPath), err);
        try (SparseEncoder encoder = SparseEncoder.open(spec);
                OutputStream sink = IoPaths.output(args.get("output", null), out);
                JsonLinesOutput output = new JsonLinesOutput(sink)) {
            err.println(encoder.describe());
            for (List<JsonLinesInput.Line> chunk = input.next(CHUNK); !chunk.isEmpty(); chunk = input.next(CHUNK)) {
                List<SparseVector> vectors =
                        encoder.encode(chunk.stream().map(JsonLinesInput.Line::text).collect(Collectors.toList()));
                for (int i = 0; i < chunk.size(); i++) {
                    SparseVector v = vectors.get(i);
                    output.write(chunk.get(i).id(), tokenKeys ? v.toTokenMap(encoder.vocabulary()) : v.toIdMap());
                }
                output.flush();
            }
        }
        return input.rejected() > 0 ? 2 : 0;
    }

    static boolean keys(CliArgs args) {
        String keys = args.get("keys", "tokens");
        if (!keys.equals("tokens") && !keys.equals("ids")) {
            throw new CliArgs.UsageException("--keys must be tokens or ids, got '" + keys + "'");
        }
        return keys.equals("tokens");
    }
}
