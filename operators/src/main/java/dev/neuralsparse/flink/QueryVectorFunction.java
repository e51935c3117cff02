package dev.neuralsparse.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neuralsparse.encoder.IdfTable;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.encoder.Pruning;
import dev.neuralsparse.encoder.QueryEncoder;
import dev.neuralsparse.encoder.SparseVector;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.BasicTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Query vectors from the model's tokenizer and an IDF table held in Flink broadcast state. The
 * table starts as the model's {@code idf.json} and follows the updates of the {@code idf-updates}
 * stream; being broadcast state, it is checkpointed, so a restarted job keeps the last table.
 * A query that is not usable, or an update that is not, becomes a dead letter with the reason.
 */
public class QueryVectorFunction extends BroadcastProcessFunction<Document, IdfUpdate, QueryVector> {
    private static final long serialVersionUID = 1L;
    private static final String TABLE = "idf";

    public static final MapStateDescriptor<String, IdfTable> IDF_STATE = new MapStateDescriptor<>(
            "idf-table", BasicTypeInfo.STRING_TYPE_INFO, TypeInformation.of(IdfTable.class));

    private final String model;
    private final String modelRevision;
    private final float missingWeight;
    private final float minWeight;
    private final int maxTokens;
    private final int defaultK;

    private transient QueryEncoder encoder;
    private transient IdfTable initial;
    private transient ObjectMapper json;

    /**
     * @param modelRevision the revision of a hub model (the commit SHA the job pinned)
     * @param minWeight query tokens weighing less are dropped (0: keep all)
     * @param maxTokens keep only this many heaviest tokens (0: all)
     */
    public QueryVectorFunction(String model, String modelRevision, float missingWeight, float minWeight, int maxTokens,
            int defaultK) {
        this.model = model;
        this.modelRevision = modelRevision;
        this.missingWeight = missingWeight;
        this.minWeight = minWeight;
        this.maxTokens = maxTokens;
        this.defaultK = defaultK;
    }

    @Override
    public void open(OpenContext context) {
        Path folder = QueryEncoder.resolve(model, ModelResolver.builder().setRevision(modelRevision).build());
        encoder = QueryEncoder.open(folder, missingWeight);
        initial = IdfTable.read(folder.resolve("idf.json"));
        json = new ObjectMapper();
    }

    @Override
    public void processElement(Document query, ReadOnlyContext ctx, Collector<QueryVector> out) throws Exception {
        IdfTable table = ctx.getBroadcastState(IDF_STATE).get(TABLE);
        table = table == null ? initial : table;
        int k;
        try {
            k = k(query.jsonBytes());
        } catch (IllegalArgumentException e) {
            ctx.output(DocumentParser.DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.QUERY, e.getMessage(), query.source, query.id));
            return;
        }
        SparseVector v = encoder.encode(query.text(), table);
        if (minWeight > 0) {
            v = new Pruning(Pruning.Type.ABS_VALUE, minWeight).apply(v);
        }
        if (maxTokens > 0) {
            v = new Pruning(Pruning.Type.TOP_K, maxTokens).apply(v);
        }
        out.collect(new QueryVector(query.id, new LinkedHashMap<>(v.toTokenMap(encoder.vocabulary())), k,
                table.version(), query.source));
    }

    private int k(byte[] queryJson) throws Exception {
        JsonNode k = json.readTree(queryJson).get("k");
        if (k == null || k.isNull()) {
            return defaultK;
        }
        if (!k.canConvertToInt() || !k.isIntegralNumber() || k.asInt() < 1 || k.asInt() > 10_000) {
            throw new IllegalArgumentException("\"k\" must be an integer from 1 to 10000, got " + k);
        }
        return k.asInt();
    }

    @Override
    public void processBroadcastElement(IdfUpdate update, Context ctx, Collector<QueryVector> out) throws Exception {
        BroadcastState<String, IdfTable> state = ctx.getBroadcastState(IDF_STATE);
        IdfTable current = state.get(TABLE) == null ? initial : state.get(TABLE);
        if (update.version <= current.version()) {
            ctx.output(DocumentParser.DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.QUERY, "IDF update version "
                    + update.version + " is not newer than the table's version " + current.version() + "; not applied",
                    update.source, null));
            return;
        }
        state.put(TABLE, update.full ? IdfTable.of(update.weights, update.version) : current.merge(update.weights, update.version));
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
