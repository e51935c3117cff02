package dev.neuralsparse.job.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the job's own threads while it runs in this JVM's MiniCluster, summed per stage by
 * thread name: the threads of a MiniCluster job are this JVM's, so their CPU clocks tell what each
 * stage cost without instrumenting it. Sampled every 100 ms (a thread that ends keeps its last
 * sample), as CPU time since the sampler started. PyTorch's own intra-op threads are native, not
 * Java threads: the model's compute shows only as the device thread's share.
 */
final class ThreadCpuSampler implements AutoCloseable {
    /** Stages by a part of their thread names, in the order they are printed; the rest is "other". */
    static final List<Map.Entry<String, String>> STAGES = List.of(
            Map.entry("Source Data Fetcher", "Kafka fetch (fetcher thread)"),
            Map.entry("Source: kafka-documents", "Kafka records -> parse (task thread)"),
            Map.entry("neural-sparse-tokenizer", "tokenization (tokenizer threads)"),
            Map.entry("neural-sparse-device", "device thread (batching, extraction, its share of the forward)"),
            Map.entry("opensearch-writes", "encode operator, state, writing the bulk body (task thread)"),
            Map.entry("I/O dispatcher", "OpenSearch HTTP I/O, reading bulk answers"),
            Map.entry("AsyncOperations", "checkpoint snapshots of the keyed state"),
            Map.entry("dead-letters", "dead letters (sink task, Kafka producers)"),
            Map.entry("kafka-producer", "dead letters (sink task, Kafka producers)"));
    static final String OTHER = "Flink runtime, JIT, GC and the rest";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<Long, Long> start = new HashMap<>();
    private final Map<Long, Long> last = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final Thread sampler;
    private volatile boolean running = true;

    ThreadCpuSampler() {
        sample(start);
        sampler = new Thread(() -> {
            while (running) {
                sample(last);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "thread-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample(Map<Long, Long> into) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu >= 0) {
                into.put(info.getThreadId(), cpu);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
    }

    /** Nanoseconds of CPU per stage since the sampler started, after a last sample. */
    synchronized Map<String, Long> stop() {
        running = false;
        sampler.interrupt();
        sample(last);
        Map<String, Long> byStage = new LinkedHashMap<>();
        STAGES.forEach(s -> byStage.putIfAbsent(s.getValue(), 0L));
        byStage.put(OTHER, 0L);
        last.forEach((id, cpu) -> {
            if (id != sampler.getId()) {
                byStage.merge(stage(names.get(id)), cpu - start.getOrDefault(id, 0L), Long::sum);
            }
        });
        return byStage;
    }

    /**
     * The {@code n} threads of "the rest" that used the most CPU, by name with digits folded
     * (so that a pool's threads add up), in nanoseconds: says what that line is made of.
     */
    synchronized Map<String, Long> largestOthers(int n) {
        Map<String, Long> byName = new HashMap<>();
        last.forEach((id, cpu) -> {
            if (id != sampler.getId() && stage(names.get(id)).equals(OTHER)) {
                byName.merge(String.valueOf(names.get(id)).replaceAll("[0-9]+", "#"), cpu - start.getOrDefault(id, 0L), Long::sum);
            }
        });
        Map<String, Long> largest = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(n)
                .forEach(e -> largest.put(e.getKey(), e.getValue()));
        return largest;
    }

    private static String stage(String thread) {
        for (Map.Entry<String, String> s : STAGES) {
            if (thread != null && thread.contains(s.getKey())) {
                return s.getValue();
            }
        }
        return OTHER;
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
