package dev.neuralsparse.job.pipeline;

import dev.neuralsparse.encoder.DeviceSpec;
import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.LongDocuments;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.encoder.Precision;
import dev.neuralsparse.encoder.Pruning;
import dev.neuralsparse.flink.DeadLetter;
import dev.neuralsparse.flink.DeadLetterSerializer;
import dev.neuralsparse.flink.Document;
import dev.neuralsparse.flink.DocumentFormat;
import dev.neuralsparse.flink.DocumentParser;
import dev.neuralsparse.flink.EncoderFactory;
import dev.neuralsparse.flink.IndexSetup;
import dev.neuralsparse.flink.KafkaConnection;
import dev.neuralsparse.flink.OpenSearchConnection;
import dev.neuralsparse.flink.OpenSearchBulkSink;
import dev.neuralsparse.flink.SourceRecord;
import dev.neuralsparse.flink.SourceRecordDeserializer;
import dev.neuralsparse.flink.SparseEncodingStage;
import dev.neuralsparse.flink.VectorField;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Wires the enrichment job: Kafka documents -> parse (bad records to the dead letters) -> the
 * sparse encoding stage -> versioned OpenSearch writes (index or delete) with a rank_features field; dead letters of every
 * stage go to one Kafka topic. Behaviour lives in {@code dev.neuralsparse.flink}; this only wires,
 * with stable names and uids so that a restarted job finds its state.
 */
public final class EnrichmentJob {
    /** How long the submitting client waits for Kafka to answer before it gives up on the job. */
    private static final Duration KAFKA_CHECK_TIMEOUT = Duration.ofSeconds(30);

    private final ReadableConfig conf;
    private EncoderFactory encoderFactory = EncoderFactory.sparseEncoder();
    private OpenSearchConnection opensearch;
    private KafkaConnection kafka;
    private String pinnedRevision;

    public EnrichmentJob(ReadableConfig conf) {
        this.conf = conf;
        if (blank(conf.get(JobOptions.TOPIC)) && blank(conf.get(JobOptions.QUERY_TOPIC))) {
            throw new IllegalArgumentException("the job needs --topic (documents) or --query-topic (queries), or both");
        }
        require(JobOptions.DLQ_TOPIC.key(), conf.get(JobOptions.DLQ_TOPIC));
        if (!blank(conf.get(JobOptions.TOPIC)) || conf.get(JobOptions.SEARCH)) {
            require(JobOptions.INDEX.key(), conf.get(JobOptions.INDEX));
        }
    }

    /** The OpenSearch connection of every client of the job, built once (password and CA read once). */
    public synchronized OpenSearchConnection opensearch() {
        if (opensearch == null) {
            opensearch = Connections.opensearch(conf);
        }
        return opensearch;
    }

    /** The Kafka connection of every Kafka client of the job, built once (the properties file read once). */
    public synchronized KafkaConnection kafka() {
        if (kafka == null) {
            kafka = Connections.kafka(conf);
        }
        return kafka;
    }

    /**
     * The model revision every TaskManager loads: for a hub model, the commit SHA that
     * {@code --model-revision} names, resolved once, here (from the cache when it is recorded
     * there); for a local folder, the option as it is.
     */
    public synchronized String modelRevision() {
        if (pinnedRevision == null) {
            String model = conf.get(JobOptions.MODEL);
            String revision = conf.get(JobOptions.MODEL_REVISION);
            pinnedRevision = ModelResolver.isHubModel(model)
                    ? ModelResolver.builder().setRevision(revision).build().commit(model) : revision;
        }
        return pinnedRevision;
    }

    /** How TaskManagers open the encoder (tests wrap the real one to watch or break it). */
    public EnrichmentJob setEncoderFactory(EncoderFactory factory) {
        this.encoderFactory = factory;
        return this;
    }

    /** A job name that says what flows where, e.g. {@code neural-sparse docs -> docs-index, queries}. */
    public String name() {
        List<String> parts = new ArrayList<>();
        if (!blank(conf.get(JobOptions.TOPIC))) {
            parts.add(conf.get(JobOptions.TOPIC) + " -> " + conf.get(JobOptions.INDEX));
        }
        if (!blank(conf.get(JobOptions.QUERY_TOPIC))) {
            parts.add(conf.get(JobOptions.QUERY_TOPIC) + " -> " + conf.get(JobOptions.QUERY_VECTORS_TOPIC));
        }
        return "neural-sparse " + String.join(", ", parts);
    }

    /** Checks that Kafka answers, creates (or checks) the index, then adds the job to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        build(env, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment)}, with {@code documents} applied to the stream
     * of parsed documents (tests splice in an operator there, e.g. one that fails once).
     */
    public void build(StreamExecutionEnvironment env, UnaryOperator<DataStream<Document>> documents) {
        kafka().check(KAFKA_CHECK_TIMEOUT);
        env.setParallelism(conf.get(JobOptions.PARALLELISM));
        // Chained operators pass records on without a Kryo deep copy each (the largest Java cost of
        // the sink side, measured); safe here: no operator changes a record after emitting it, and
        // those that keep records (the encoder's buffer) get them fresh from the network.
        env.getConfig().enableObjectReuse();
        env.enableCheckpointing(conf.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.AT_LEAST_ONCE);
        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        if (!blank(conf.get(JobOptions.TOPIC))) {
            deadLetters.addAll(documentPipeline(env, documents));
        }
        if (!blank(conf.get(JobOptions.QUERY_TOPIC))) {
            deadLetters.addAll(new QueryPipeline(conf, this).build(env));
        }
        DataStream<DeadLetter> all = deadLetters.get(0);
        for (DataStream<DeadLetter> more : deadLetters.subList(1, deadLetters.size())) {
            all = all.union(more);
        }
        all.sinkTo(deadLetterSink()).name("dead-letters").uid("dead-letters");
    }

    private List<DataStream<DeadLetter>> documentPipeline(StreamExecutionEnvironment env,
            UnaryOperator<DataStream<Document>> documents) {
        DocumentFormat format = format();
        new IndexSetup(opensearch(), conf.get(JobOptions.OPENSEARCH_WAIT)).ensure(
                conf.get(JobOptions.INDEX), format.outputField(),
                new IndexSetup.Settings(conf.get(JobOptions.SHARDS), conf.get(JobOptions.REPLICAS),
                        conf.get(JobOptions.REFRESH_INTERVAL), vectorField()));
        SingleOutputStreamOperator<Document> parsed = env
                .fromSource(source(conf.get(JobOptions.TOPIC), conf.get(JobOptions.GROUP_ID)),
                        WatermarkStrategy.noWatermarks(), "kafka-documents")
                .uid("kafka-documents")
                .process(new DocumentParser(format))
                .name("parse-documents")
                .uid("parse-documents");
        SparseEncodingStage.Result encoded = encodingStage().apply(documents.apply(parsed));
        encoded.encoded().sinkTo(opensearchSink(format)).name("opensearch-writes").uid("opensearch-writes");
        return List.of(parsed.getSideOutput(DocumentParser.DEAD_LETTERS), encoded.deadLetters());
    }

    SparseEncodingStage encodingStage() {
        return SparseEncodingStage.builder()
                .setEncoderSpec(encoderSpec())
                .setEncoderFactory(encoderFactory)
                .setMaxWait(conf.get(JobOptions.MAX_WAIT))
                .setTokenizerThreads(conf.get(JobOptions.TOKENIZER_THREADS))
                .setTokenKeys(keysAsTokens())
                .setGpu(conf.get(JobOptions.GPU))
                .setOrdered(conf.get(JobOptions.ORDERED))
                .setCapacity(conf.get(JobOptions.ASYNC_CAPACITY))
                .setTimeout(conf.get(JobOptions.ASYNC_TIMEOUT))
                .setRetries(conf.get(JobOptions.RETRIES), conf.get(JobOptions.RETRY_DELAY))
                .setSkipUnchanged(conf.get(JobOptions.SKIP_UNCHANGED))
                .setStateTtl(conf.get(JobOptions.STATE_TTL))
                .build();
    }

    /** A source of raw records from {@code topic}: committed offsets, else the earliest; bounded with --bounded. */
    KafkaSource<SourceRecord> source(String topic, String groupId) {
        KafkaSourceBuilder<SourceRecord> b = KafkaSource.<SourceRecord>builder()
                .setProperty("max.partition.fetch.bytes", Integer.toString(16 << 20))
                .setProperties(kafka().clientProperties())
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new SourceRecordDeserializer());
        if (conf.get(JobOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    /** The encoder the job's encoding stage asks its TaskManager for. */
    public EncoderSpec encoderSpec() {
        return EncoderSpec.builder()
                .setModel(conf.get(JobOptions.MODEL))
                .setModelRevision(modelRevision())
                .setDevice(DeviceSpec.parse(conf.get(JobOptions.DEVICE)))
                .setPrecision(Precision.parse(conf.get(JobOptions.PRECISION)))
                .setTokenBudget(conf.get(JobOptions.TOKEN_BUDGET))
                .setLongDocuments(LongDocuments.parse(conf.get(JobOptions.LONG_DOCS)))
                .setPruning(Pruning.parse(conf.get(JobOptions.PRUNE)))
                .build();
    }

    DocumentFormat format() {
        return new DocumentFormat(conf.get(JobOptions.ID_FIELD), conf.get(JobOptions.TEXT_FIELDS),
                conf.get(JobOptions.OUTPUT_FIELD), conf.get(JobOptions.MAX_RECORD_BYTES),
                conf.get(JobOptions.DELETE_FIELD), conf.get(JobOptions.VERSION_FIELD));
    }

    private boolean keysAsTokens() {
        String keys = conf.get(JobOptions.KEYS);
        if (!keys.equals("tokens") && !keys.equals("ids")) {
            throw new IllegalArgumentException("--keys must be tokens or ids, got '" + keys + "'");
        }
        if (vectorField().tokenIdKeys()) {
            if (conf.getOptional(JobOptions.KEYS).orElse("ids").equals("tokens")) {
                throw new IllegalArgumentException("--field-type sparse_vector takes token ids as keys, not --keys tokens");
            }
            return false;
        }
        return keys.equals("tokens");
    }

    VectorField vectorField() {
        return new VectorField(VectorField.Type.parse(conf.get(JobOptions.FIELD_TYPE)),
                conf.get(JobOptions.SEISMIC_N_POSTINGS), conf.get(JobOptions.SEISMIC_CLUSTER_RATIO),
                conf.get(JobOptions.SEISMIC_SUMMARY_PRUNE_RATIO), conf.get(JobOptions.SEISMIC_APPROXIMATE_THRESHOLD));
    }

    private OpenSearchBulkSink opensearchSink(DocumentFormat format) {
        return OpenSearchBulkSink.builder()
                .setConnection(opensearch())
                .setIndex(conf.get(JobOptions.INDEX))
                .setVectorField(format.outputField())
                .setBulkFlushMaxActions(conf.get(JobOptions.BULK_ACTIONS))
                .setBulkFlushMaxSizeMb(conf.get(JobOptions.BULK_SIZE_MB))
                .setBulkFlushInterval(conf.get(JobOptions.BULK_INTERVAL))
                .setDeadLetters(kafka(), conf.get(JobOptions.DLQ_TOPIC))
                .build();
    }

    private KafkaSink<DeadLetter> deadLetterSink() {
        return kafkaSink(new DeadLetterSerializer(conf.get(JobOptions.DLQ_TOPIC)));
    }

    /**
     * An at-least-once Kafka sink; records up to 16 MB (a dead letter keeps the original key, of any
     * size) unless the user's properties say otherwise.
     */
    <T> KafkaSink<T> kafkaSink(org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema<T> serializer) {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("max.request.size", Integer.toString(16 << 20));
        properties.putAll(kafka().clientProperties());
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(properties)
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static void require(String key, String value) {
        if (blank(value)) {
            throw new IllegalArgumentException("the job needs --" + key);
        }
    }
}
