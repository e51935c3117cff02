package dev.neuralsparse.flink;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Passes search results on; failed searches become dead letters. */
public class SearchFailureRouter extends ProcessFunction<SearchResult, SearchResult> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(SearchResult r, Context ctx, Collector<SearchResult> out) {
        if (r.error != null) {
            ctx.output(DocumentParser.DEAD_LETTERS, new DeadLetter(DeadLetter.Stage.SEARCH, r.error, r.source, r.queryId));
        } else {
            out.collect(r);
        }
    }
}
