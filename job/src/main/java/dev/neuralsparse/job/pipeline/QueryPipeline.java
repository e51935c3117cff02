package dev.neuralsparse.job.pipeline;

import dev.neuralsparse.flink.AsyncSearchFunction;
import dev.neuralsparse.flink.DeadLetter;
import dev.neuralsparse.flink.Document;
import dev.neuralsparse.flink.DocumentFormat;
import dev.neuralsparse.flink.DocumentParser;
import dev.neuralsparse.flink.IdfUpdate;
import dev.neuralsparse.flink.IdfUpdateParser;
import dev.neuralsparse.flink.QuerySerializers;
import dev.neuralsparse.flink.QueryVector;
import dev.neuralsparse.flink.QueryVectorFunction;
import dev.neuralsparse.flink.SearchFailureRouter;
import dev.neuralsparse.flink.SearchResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The query side path: Kafka queries -> parse (bad ones to the dead letters) -> query vectors
 * from the tokenizer and the broadcast IDF table (updated by the idf-updates topic) -> Kafka; with
 * {@code --search}, each vector also runs against the index and the top hits go to a topic.
 */
final class QueryPipeline {
    private final ReadableConfig conf;
    private final EnrichmentJob job;

    QueryPipeline(ReadableConfig conf, EnrichmentJob job) {
        this.conf = conf;
        this.job = job;
        EnrichmentJob.require(JobOptions.QUERY_VECTORS_TOPIC.key(), conf.get(JobOptions.QUERY_VECTORS_TOPIC));
        if (conf.get(JobOptions.SEARCH)) {
            EnrichmentJob.require(JobOptions.RESULTS_TOPIC.key(), conf.get(JobOptions.RESULTS_TOPIC));
        }
    }

    List<DataStream<DeadLetter>> build(StreamExecutionEnvironment env) {
        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        String group = conf.get(JobOptions.GROUP_ID) + "-queries";
        // A query is a document with an id and a text: the same parser, the same dead letters.
        DocumentFormat format = new DocumentFormat(conf.get(JobOptions.ID_FIELD), List.of("text"), "vector",
                conf.get(JobOptions.MAX_RECORD_BYTES));
        SingleOutputStreamOperator<Document> queries = env
                .fromSource(job.source(conf.get(JobOptions.QUERY_TOPIC), group), WatermarkStrategy.noWatermarks(), "kafka-queries")
                .uid("kafka-queries")
                .process(DocumentParser.withoutDeletes(format))
                .name("parse-queries")
                .uid("parse-queries");
        deadLetters.add(queries.getSideOutput(DocumentParser.DEAD_LETTERS));

        SingleOutputStreamOperator<IdfUpdate> updates = idfUpdates(env, group);
        deadLetters.add(updates.getSideOutput(DocumentParser.DEAD_LETTERS));
        BroadcastStream<IdfUpdate> broadcast = updates.broadcast(QueryVectorFunction.IDF_STATE);

        SingleOutputStreamOperator<QueryVector> vectors = queries.connect(broadcast)
                .process(new QueryVectorFunction(conf.get(JobOptions.MODEL), job.modelRevision(), conf.get(JobOptions.MISSING_IDF),
                        conf.get(JobOptions.QUERY_MIN_WEIGHT), conf.get(JobOptions.QUERY_MAX_TOKENS),
                        conf.get(JobOptions.DEFAULT_K)))
                .name("query-vectors")
                .uid("query-vectors");
        deadLetters.add(vectors.getSideOutput(DocumentParser.DEAD_LETTERS));
        vectors.sinkTo(job.kafkaSink(new QuerySerializers.Vectors(conf.get(JobOptions.QUERY_VECTORS_TOPIC))))
                .name("query-vectors-out").uid("query-vectors-out");

        if (conf.get(JobOptions.SEARCH)) {
            deadLetters.add(search(vectors));
        }
        return deadLetters;
    }

    /** The idf-updates topic, or an empty stream when there is none (the table is then the model's). */
    private SingleOutputStreamOperator<IdfUpdate> idfUpdates(StreamExecutionEnvironment env, String group) {
        String topic = conf.get(JobOptions.IDF_TOPIC);
        // Without a topic the function still needs a broadcast side: a stream that ends at once
        // (Flink's collection sources refuse to be empty, so one element is filtered away).
        DataStream<dev.neuralsparse.flink.SourceRecord> records = EnrichmentJob.blank(topic)
                ? env.fromData(new dev.neuralsparse.flink.SourceRecord()).name("no-idf-updates")
                        .filter(r -> false).name("no-idf-updates")
                : env.fromSource(job.source(topic, group + "-idf"), WatermarkStrategy.noWatermarks(), "kafka-idf-updates")
                        .uid("kafka-idf-updates");
        return records.process(new IdfUpdateParser()).name("parse-idf-updates").uid("parse-idf-updates");
    }

    private DataStream<DeadLetter> search(DataStream<QueryVector> vectors) {
        SingleOutputStreamOperator<SearchResult> results = AsyncDataStream.unorderedWait(vectors,
                new AsyncSearchFunction(job.opensearch(), conf.get(JobOptions.INDEX),
                        conf.get(JobOptions.OUTPUT_FIELD), conf.get(JobOptions.NEURAL_SPARSE_QUERY)),
                conf.get(JobOptions.ASYNC_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS, conf.get(JobOptions.ASYNC_CAPACITY))
                .name("search")
                .uid("search");
        SingleOutputStreamOperator<SearchResult> found = results.process(new SearchFailureRouter())
                .name("route-search-failures").uid("route-search-failures");
        found.sinkTo(job.kafkaSink(new QuerySerializers.Results(conf.get(JobOptions.RESULTS_TOPIC))))
                .name("search-results-out").uid("search-results-out");
        return found.getSideOutput(DocumentParser.DEAD_LETTERS);
    }
}
