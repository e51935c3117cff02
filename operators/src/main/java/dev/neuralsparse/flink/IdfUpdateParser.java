package dev.neuralsparse.flink;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Records of the idf-updates topic to {@link IdfUpdate}s; a malformed one becomes a dead letter. */
public class IdfUpdateParser extends ProcessFunction<SourceRecord, IdfUpdate> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(SourceRecord record, Context ctx, Collector<IdfUpdate> out) {
        try {
            out.collect(IdfUpdate.parse(record));
        } catch (IllegalArgumentException e) {
            ctx.output(DocumentParser.DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.QUERY, e.getMessage(), record, null));
        }
    }
}
