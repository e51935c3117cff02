package dev.neuralsparse.job.cli;

import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.SparseVector;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/** {@code neural-sparse query}: inference-free query vectors (tokenizer + IDF table). */
final class QueryCommand implements Command {
    @Override
    public String name() {
        return "query";
    }

    @Override
    public String summary() {
        return "query vectors (tokenizer + idf.json, no model) for JSON lines";
    }

    @Override
    public String help() {
        return String.join("\n",
                "Usage: neural-sparse query --model DIR|REPO_ID [--idf FILE] [--input FILE] [--output FILE]",
                "",
                "Reads JSON lines {\"id\": ..., \"text\": \"...\"} and writes {\"id\": ..., \"vector\": {...}}:",
                "each distinct non-special token of the query once, weighted by its IDF. Only the",
                "tokenizer and idf.json of the model are needed (a hub model's weights are not fetched).",
                "",
                "  --model DIR|REPO_ID     model folder or hub repo id (its tokenizer.json and idf.json)",
                "  --idf FILE              another IDF table (JSON token -> weight)",
                "  --missing-weight W      weight of a token missing from the table (default 1.0, as OpenSearch)",
                "  --keys K                tokens (default) or ids",
                "  --model-revision R      branch, tag or commit SHA of a hub model (default main)",
                "  --cache-dir DIR         hub cache",
                "  --input FILE / --output FILE   default stdin / stdout");
    }

    @Override
    public int run(String[] argv, InputStream in, PrintStream out, PrintStream err) throws Exception {
        CliArgs args = CliArgs.parse(name(), argv,
                Set.of("model", "model-revision", "idf", "missing-weight", "keys", "cache-dir", "input", "output"), Set.of());
        boolean tokenKeys = EncodeCommand.keys(args);
        Path folder = QueryEncoder.resolve(args.require("model"), args.modelResolver());
        IdfTable idf = IdfTable.read(args.has("idf") ? Paths.get(args.get("idf", null)) : folder.resolve("idf.json"));
        String inputPath = args.get("input", null);
        JsonLinesInput input = new JsonLinesInput(IoPaths.input(inputPath, in), IoPaths.describe(inputPath), err);
        try (QueryEncoder queries = QueryEncoder.open(folder, args.getFloat("missing-weight", QueryEncoder.DEFAULT_MISSING_WEIGHT));
                OutputStream sink = IoPaths.output(args.get("output", null), out);
                JsonLinesOutput output = new JsonLinesOutput(sink)) {
            for (List<JsonLinesInput.Line> chunk = input.next(1024); !chunk.isEmpty(); chunk = input.next(1024)) {
                for (JsonLinesInput.Line line : chunk) {
                    SparseVector v = queries.encode(line.text(), idf);
                    output.write(line.id(), tokenKeys ? v.toTokenMap(queries.vocabulary()) : v.toIdMap());
                }
                output.flush();
            }
        }
        return input.rejected() > 0 ? 2 : 0;
    }
}
