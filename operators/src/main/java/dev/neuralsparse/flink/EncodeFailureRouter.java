package dev.neuralsparse.flink;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/** Passes encoded documents on and turns documents whose encoding failed (after retries) into dead letters. */
public class EncodeFailureRouter extends ProcessFunction<EncodedDocument, EncodedDocument> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(EncodedDocument doc, Context ctx, Collector<EncodedDocument> out) {
        if (doc.failed()) {
            ctx.output(DocumentParser.DEAD_LETTERS,
                    new DeadLetter(DeadLetter.Stage.ENCODE, doc.error, doc.document.source, doc.document.id));
        } else {
            out.collect(doc);
        }
    }
}
