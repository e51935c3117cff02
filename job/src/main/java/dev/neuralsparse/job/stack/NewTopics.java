package dev.neuralsparse.job.stack;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

/**
 * Topics created and ready to take records. A topic is created before its partitions are open on
 * their leaders, and an idempotent producer that writes at once can lose records for good
 * (KAFKA-15591): its first request fails with NOT_LEADER_OR_FOLLOWER, the second arrives once the
 * partition is open and is appended, and every retry of the first is then refused as out of order
 * until its delivery timeout. Seen here: {@code bench-pipeline} stopped after two minutes of
 * OutOfOrderSequenceException on a topic it had just created. So creation waits until every
 * partition answers a ListOffsets request, which only its open leader does.
 */
public final class NewTopics {
    /** How long new partitions may take to open on their leaders. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private NewTopics() {}

    /** Creates {@code topics} and returns once each of their partitions is open on its leader. */
    public static void create(Admin admin, Collection<NewTopic> topics) throws InterruptedException, ExecutionException {
        admin.createTopics(topics).all().get();
        Map<TopicPartition, OffsetSpec> partitions = new HashMap<>();
        for (NewTopic topic : topics) {
            for (int p = 0; p < Math.max(1, topic.numPartitions()); p++) {
                partitions.put(new TopicPartition(topic.name(), p), OffsetSpec.latest());
            }
        }
        // Success means every partition's leader serves it. Until then the broker answers with a
        // retriable error that the admin client does not always retry itself: "This server does
        // not host this topic-partition" (UNKNOWN_TOPIC_OR_PARTITION) comes straight back.
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                admin.listOffsets(partitions).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
