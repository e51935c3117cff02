package dev.neuralsparse.job.pipeline;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.neuralsparse.encoder.EncoderSpec;
import dev.neuralsparse.encoder.ModelResolver;
import dev.neuralsparse.flink.DocumentFormat;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;

/**
 * Every option a user types for the enrichment job, declared once with its type, default and
 * description; the command line and a Flink configuration read the same keys.
 */
public final class JobOptions {
    private JobOptions() {}

    public static final ConfigOption<String> KAFKA = key("kafka").stringType().defaultValue("127.0.0.1:9092")
            .withDescription("Kafka bootstrap servers HOST:PORT[,...] (when not given: bootstrap.servers of"
                    + " --kafka-properties, else this default)");
    public static final ConfigOption<String> KAFKA_PROPERTIES = key("kafka-properties").stringType().noDefaultValue()
            .withDescription("Java properties file of Kafka client settings applied to every Kafka client of the job"
                    + " (security.protocol, sasl.*, ssl.*: Kafka's own names, as --command-config of Kafka's tools);"
                    + " read when the job is submitted, so files it names must exist on every TaskManager");
    public static final ConfigOption<String> TOPIC = key("topic").stringType().noDefaultValue()
            .withDescription("topic of JSON documents to encode (this or --query-topic)");
    public static final ConfigOption<String> DLQ_TOPIC = key("dlq-topic").stringType().noDefaultValue()
            .withDescription("dead-letter topic: records that cannot be indexed, with the reason (required)");
    public static final ConfigOption<String> GROUP_ID = key("group-id").stringType().defaultValue("neural-sparse")
            .withDescription("Kafka consumer group; offsets are committed on checkpoints");
    public static final ConfigOption<String> OPENSEARCH = key("opensearch").stringType().defaultValue("http://127.0.0.1:9200")
            .withDescription("OpenSearch URL");
    public static final ConfigOption<String> OPENSEARCH_USERNAME = key("opensearch-username").stringType().noDefaultValue()
            .withDescription("user for basic authentication; the password comes from --opensearch-password-file or the"
                    + " environment variable OPENSEARCH_PASSWORD, never from an argument");
    public static final ConfigOption<String> OPENSEARCH_PASSWORD_FILE = key("opensearch-password-file").stringType()
            .noDefaultValue().withDescription("file holding the password of --opensearch-username (trailing newline ignored)");
    public static final ConfigOption<String> OPENSEARCH_CA = key("opensearch-ca").stringType().noDefaultValue()
            .withDescription("PEM file of the CA that signed OpenSearch's certificate (default: the system trust store)");
    public static final ConfigOption<Boolean> OPENSEARCH_INSECURE = key("opensearch-insecure").booleanType()
            .defaultValue(false).withDescription("trust any TLS certificate (no CA check): for development only");
    public static final ConfigOption<String> INDEX = key("index").stringType().noDefaultValue()
            .withDescription("target index, created with a rank_features mapping when absent (required)");
    public static final ConfigOption<String> MODEL = key("model").stringType()
            .defaultValue("opensearch-project/opensearch-neural-sparse-encoding-doc-v2-distill")
            .withDescription("model folder or hub repo id");
    public static final ConfigOption<String> MODEL_REVISION = key("model-revision").stringType()
            .defaultValue(ModelResolver.DEFAULT_REVISION)
            .withDescription("branch, tag or commit SHA of a hub --model; resolved to its commit SHA once, when the job"
                    + " is submitted (and recorded in the cache), so that every TaskManager loads the same files");
    public static final ConfigOption<String> DEVICE = key("device").stringType().defaultValue("cpu")
            .withDescription("cpu, gpu, gpu:N or auto (see --gpu for GPU TaskManagers)");
    public static final ConfigOption<String> PRECISION = key("precision").stringType().defaultValue("fp32")
            .withDescription("compute precision: fp32, or fp16 (half precision, GPU only)");
    public static final ConfigOption<Integer> TOKEN_BUDGET = key("token-budget").intType()
            .defaultValue(EncoderSpec.DEFAULT_TOKEN_BUDGET).withDescription("padded tokens per forward pass");
    public static final ConfigOption<String> LONG_DOCS = key("long-docs").stringType().defaultValue("truncate")
            .withDescription("truncate or chunked-max");
    public static final ConfigOption<String> PRUNE = key("prune").stringType().defaultValue("none")
            .withDescription("none or TYPE:RATIO (top_k, max_ratio, alpha_mass, abs_value)");
    public static final ConfigOption<String> KEYS = key("keys").stringType().defaultValue("tokens")
            .withDescription("tokens (rank_features) or ids; sparse_vector fields always take ids");
    public static final ConfigOption<String> FIELD_TYPE = key("field-type").stringType().defaultValue("rank_features")
            .withDescription("rank_features (exact search, any OpenSearch) or sparse_vector (neural sparse ANN search with"
                    + " SEISMIC, OpenSearch 3.3+ with the neural-search plugin; token-id keys; index.sparse at creation)");
    public static final ConfigOption<Integer> SEISMIC_N_POSTINGS = key("seismic-n-postings").intType().noDefaultValue()
            .withDescription("sparse_vector: documents kept per posting list (OpenSearch's default when unset)");
    public static final ConfigOption<Float> SEISMIC_CLUSTER_RATIO = key("seismic-cluster-ratio").floatType()
            .noDefaultValue().withDescription("sparse_vector: fraction of a posting list's documents that sets its clusters");
    public static final ConfigOption<Float> SEISMIC_SUMMARY_PRUNE_RATIO = key("seismic-summary-prune-ratio").floatType()
            .noDefaultValue().withDescription("sparse_vector: fraction of a cluster summary's weight kept");
    public static final ConfigOption<Integer> SEISMIC_APPROXIMATE_THRESHOLD = key("seismic-approximate-threshold").intType()
            .noDefaultValue().withDescription("sparse_vector: documents a segment needs before ANN search is used");
    public static final ConfigOption<String> ID_FIELD = key("id-field").stringType()
            .defaultValue(DocumentFormat.DEFAULT_ID_FIELD)
            .withDescription("document id field (then _id, then the Kafka key)");
    public static final ConfigOption<List<String>> TEXT_FIELDS = key("text-fields").stringType().asList()
            .defaultValues("text").withDescription("text fields, joined with a space (e.g. title;text)");
    public static final ConfigOption<String> OUTPUT_FIELD = key("output-field").stringType()
            .defaultValue(DocumentFormat.DEFAULT_OUTPUT_FIELD).withDescription("rank_features field of the vector");
    public static final ConfigOption<Integer> MAX_RECORD_BYTES = key("max-record-bytes").intType()
            .defaultValue(DocumentFormat.DEFAULT_MAX_RECORD_BYTES)
            .withDescription("larger records go to the dead letters");
    public static final ConfigOption<String> DELETE_FIELD = key("delete-field").stringType().noDefaultValue()
            .withDescription("a record whose field of this name is true (or \"true\") deletes its document, as CDC tools"
                    + " emit; a tombstone (null value, key = id) always deletes");
    public static final ConfigOption<String> VERSION_FIELD = key("version-field").stringType().noDefaultValue()
            .withDescription("field holding a whole number that grows per document (updated_at epoch, CDC LSN); the"
                    + " index keeps the highest; default: the Kafka offset (a key must stay in one partition)");
    public static final ConfigOption<Boolean> SKIP_UNCHANGED = key("skip-unchanged").booleanType().defaultValue(true)
            .withDescription("keep per id the hash and vector of the text last encoded, and reuse the vector when a"
                    + " new version's text is unchanged (metric documentsSkipped)");
    public static final ConfigOption<Duration> STATE_TTL = key("state-ttl").durationType()
            .defaultValue(Duration.ofDays(30))
            .withDescription("how long the kept text of an id not seen lives in state; after it, the id's next"
                    + " version is encoded again");
    public static final ConfigOption<Boolean> BOUNDED = key("bounded").booleanType().defaultValue(false)
            .withDescription("stop at the offsets that were latest at start (a batch load ends by itself)");
    public static final ConfigOption<Boolean> ORDERED = key("ordered").booleanType().defaultValue(false)
            .withDescription("emit in input order from the encoder (default: as encoded; the records of one id stay"
                    + " in order either way)");
    public static final ConfigOption<Integer> ASYNC_CAPACITY = key("async-capacity").intType().defaultValue(512)
            .withDescription("documents in flight per encoder subtask");
    public static final ConfigOption<Duration> ASYNC_TIMEOUT = key("async-timeout").durationType()
            .defaultValue(Duration.ofMinutes(2))
            .withDescription("how long a document may wait with no forward pass completing on its device; then the"
                    + " device counts as stuck (an infrastructure fault); a long document is not a timeout");
    public static final ConfigOption<Integer> RETRIES = key("retries").intType().defaultValue(2)
            .withDescription("retries of an infrastructure fault of the encoder (device error, timeout) before the"
                    + " task fails and restarts from its checkpoint; bad documents are never retried");
    public static final ConfigOption<Duration> RETRY_DELAY = key("retry-delay").durationType()
            .defaultValue(Duration.ofMillis(500)).withDescription("delay between retries");
    public static final ConfigOption<Duration> MAX_WAIT = key("max-wait").durationType()
            .defaultValue(Duration.ofMillis(10)).withDescription("how long a batch waits to fill its token budget");
    public static final ConfigOption<Integer> TOKENIZER_THREADS = key("tokenizer-threads").intType().defaultValue(2)
            .withDescription("CPU threads tokenizing ahead of the device");
    public static final ConfigOption<Boolean> GPU = key("gpu").booleanType().defaultValue(false)
            .withDescription("run the encoder in its own slot sharing group on TaskManagers with the external resource 'gpu'");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint-interval").durationType()
            .defaultValue(Duration.ofSeconds(10)).withDescription("checkpoint interval (offsets commit, the sink flushes)");
    public static final ConfigOption<Integer> PARALLELISM = key("parallelism").intType().defaultValue(1)
            .withDescription("parallelism of the job");
    public static final ConfigOption<Integer> SHARDS = key("shards").intType().defaultValue(1)
            .withDescription("shards of a created index");
    public static final ConfigOption<Integer> REPLICAS = key("replicas").intType().defaultValue(0)
            .withDescription("replicas of a created index");
    public static final ConfigOption<String> REFRESH_INTERVAL = key("refresh-interval").stringType().defaultValue("1s")
            .withDescription("refresh interval of a created index");
    public static final ConfigOption<Integer> BULK_ACTIONS = key("bulk-actions").intType().defaultValue(500)
            .withDescription("documents per bulk request at most");
    public static final ConfigOption<Integer> BULK_SIZE_MB = key("bulk-size-mb").intType().defaultValue(5)
            .withDescription("flush a bulk request at this size in MB, well under OpenSearch's http.max_content_length");
    public static final ConfigOption<Duration> BULK_INTERVAL = key("bulk-interval").durationType()
            .defaultValue(Duration.ofSeconds(1)).withDescription("flush a partial bulk after this long");
    public static final ConfigOption<Duration> OPENSEARCH_WAIT = key("opensearch-wait").durationType()
            .defaultValue(Duration.ofSeconds(60))
            .withDescription("how long to retry (with backoff) an unreachable OpenSearch at start before failing");

    public static final ConfigOption<String> QUERY_TOPIC = key("query-topic").stringType().noDefaultValue()
            .withDescription("topic of queries {\"id\", \"text\", \"k\"}: switches the query side path on");
    public static final ConfigOption<String> QUERY_VECTORS_TOPIC = key("query-vectors-topic").stringType().noDefaultValue()
            .withDescription("topic of query vectors {\"id\", \"vector\"} (required with --query-topic)");
    public static final ConfigOption<String> IDF_TOPIC = key("idf-topic").stringType().noDefaultValue()
            .withDescription("topic of IDF updates {\"version\", \"full\", \"weights\"} applied to the broadcast table");
    public static final ConfigOption<Boolean> SEARCH = key("search").booleanType().defaultValue(false)
            .withDescription("also run each query against --index and write the top hits to --results-topic");
    public static final ConfigOption<String> RESULTS_TOPIC = key("results-topic").stringType().noDefaultValue()
            .withDescription("topic of search results {\"id\", \"hits\"} (required with --search)");
    public static final ConfigOption<Boolean> NEURAL_SPARSE_QUERY = key("neural-sparse-query").booleanType()
            .defaultValue(false).withDescription("search with the neural-search plugin's neural_sparse query instead of rank_feature");
    public static final ConfigOption<Float> QUERY_MIN_WEIGHT = key("query-min-weight").floatType().defaultValue(0f)
            .withDescription("drop query tokens weighing less than this");
    public static final ConfigOption<Integer> QUERY_MAX_TOKENS = key("query-max-tokens").intType().defaultValue(0)
            .withDescription("keep only this many heaviest query tokens (0: all)");
    public static final ConfigOption<Float> MISSING_IDF = key("missing-idf").floatType().defaultValue(1.0f)
            .withDescription("weight of a query token missing from the IDF table (1.0, as OpenSearch)");
    public static final ConfigOption<Integer> DEFAULT_K = key("default-k").intType().defaultValue(10)
            .withDescription("hits for a query without \"k\"");

    /** The options by group, in the order {@code --help} lists them. */
    public static final Map<String, List<ConfigOption<?>>> GROUPS = groups();

    /** All options, in the order --help lists them. */
    public static final List<ConfigOption<?>> ALL = GROUPS.values().stream().flatMap(List::stream).toList();

    private static Map<String, List<ConfigOption<?>>> groups() {
        Map<String, List<ConfigOption<?>>> g = new LinkedHashMap<>();
        g.put("Kafka", List.of(KAFKA, KAFKA_PROPERTIES, TOPIC, DLQ_TOPIC, GROUP_ID, BOUNDED));
        g.put("Documents", List.of(ID_FIELD, TEXT_FIELDS, OUTPUT_FIELD, MAX_RECORD_BYTES, DELETE_FIELD, VERSION_FIELD));
        g.put("OpenSearch", List.of(OPENSEARCH, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD_FILE, OPENSEARCH_CA,
                OPENSEARCH_INSECURE, INDEX, FIELD_TYPE, SEISMIC_N_POSTINGS, SEISMIC_CLUSTER_RATIO,
                SEISMIC_SUMMARY_PRUNE_RATIO, SEISMIC_APPROXIMATE_THRESHOLD, SHARDS, REPLICAS, REFRESH_INTERVAL,
                BULK_ACTIONS, BULK_SIZE_MB, BULK_INTERVAL, OPENSEARCH_WAIT));
        g.put("Model and encoder", List.of(MODEL, MODEL_REVISION, DEVICE, PRECISION, TOKEN_BUDGET, LONG_DOCS, PRUNE, KEYS, MAX_WAIT,
                TOKENIZER_THREADS, SKIP_UNCHANGED, STATE_TTL, ORDERED, ASYNC_CAPACITY, ASYNC_TIMEOUT, RETRIES, RETRY_DELAY,
                GPU));
        g.put("Job", List.of(CHECKPOINT_INTERVAL, PARALLELISM));
        g.put("Query side path", List.of(QUERY_TOPIC, QUERY_VECTORS_TOPIC, IDF_TOPIC, SEARCH, RESULTS_TOPIC,
                NEURAL_SPARSE_QUERY, QUERY_MIN_WEIGHT, QUERY_MAX_TOKENS, MISSING_IDF, DEFAULT_K));
        return java.util.Collections.unmodifiableMap(g);
    }
}
