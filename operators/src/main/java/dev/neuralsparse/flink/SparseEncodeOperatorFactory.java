package dev.neuralsparse.flink;

import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.OneInputStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.YieldingOperatorFactory;

/** Creates {@link SparseEncodeOperator} with the task's mailbox, as Flink's async I/O factory does. */
final class SparseEncodeOperatorFactory extends AbstractStreamOperatorFactory<EncodedDocument>
        implements OneInputStreamOperatorFactory<Document, EncodedDocument>, YieldingOperatorFactory<EncodedDocument> {
    private static final long serialVersionUID = 1L;

    private final SparseEncodingStage stage;

    SparseEncodeOperatorFactory(SparseEncodingStage stage) {
        this.stage = stage;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<EncodedDocument>> T createStreamOperator(
            StreamOperatorParameters<EncodedDocument> parameters) {
        SparseEncodeOperator operator = new SparseEncodeOperator(stage, getMailboxExecutor());
        operator.setProcessingTimeService(processingTimeService);
        operator.setup(parameters.getContainingTask(), parameters.getStreamConfig(), parameters.getOutput());
        return (T) operator;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return SparseEncodeOperator.class;
    }
}
