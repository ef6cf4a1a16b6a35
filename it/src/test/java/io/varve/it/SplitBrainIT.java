package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The split brain found by the 10,000-partition run ({@code docs/cluster.md}), reproduced with real
 * processes on a real PostgreSQL: the founding lease (expire-after 3 s here) lapses while the whole
 * running cluster is paused ({@code kill -STOP} of its two other nodes, the lease holder among them,
 * after a {@code kill -9} of the third), and the restarted third node founds a cluster of its own on the
 * same journal. When the paused nodes run again, their cluster has been superseded: they must stop by
 * themselves (exit status 2, the log naming the new incarnation) instead of serving beside the new
 * cluster, then join it when started again, and no acknowledged record is lost.
 */
class SplitBrainIT extends ScriptClusterTest {
    private static final Logger log = LoggerFactory.getLogger(SplitBrainIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    @BeforeAll
    static void start() throws Exception {
        startCluster(SplitBrainIT.class, "varve.cluster.lease.expire-after = 3s\n");
    }

    @Test
    void aPausedClusterSupersededByANewFoundingStopsAndLosesNothing() throws Exception {
        admin.createTopics(List.of(new NewTopic("fenced", 1, (short) 3))).all().get();
        TopicPartition tp = new TopicPartition("fenced", 0);
        List<String> acknowledged = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 20; i++) {
                producer.send(new ProducerRecord<>("fenced", 0, "k", "before-" + i))
                        .get();
                acknowledged.add("before-" + i);
            }
        }
        int founder = IntStream.rangeClosed(1, 3)
                .filter(n -> cluster.log(n).contains("founded the cluster: incarnation"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no node logged founding the cluster"));
        int restarted = founder == 3 ? 2 : 3;
        int[] paused = IntStream.rangeClosed(1, 3).filter(n -> n != restarted).toArray();
        String oldIncarnation = incarnationOf(cluster.log(founder), "founded the cluster: incarnation ");

        for (int n : paused) {
            cluster.pause(n);
        }
        log.info("paused nodes {} (node {} holds the lease, incarnation {})", paused, founder, oldIncarnation);
        try {
            cluster.kill(restarted);
            // the lease lapses (3 s), node `restarted` takes it, no seed answers: it founds a new incarnation
            cluster.start(restarted);
            assertThat(incarnationOf(cluster.log(restarted), "founded the cluster: incarnation "))
                    .as("node %d founded a new incarnation", restarted)
                    .isNotEqualTo(oldIncarnation);
        } finally {
            for (int n : paused) {
                cluster.resume(n);
            }
            log.info("resumed nodes {}", paused);
        }
        for (int n : paused) {
            Conditions.require(
                    DEADLINE, "node " + n + " of the superseded cluster stops by itself", () -> !cluster.isRunning(n));
            assertThat(cluster.log(n))
                    .as("node %d says why it stopped", n)
                    .contains("(incarnation " + oldIncarnation + " of this journal) was superseded");
        }
        assertThat(cluster.isRunning(restarted)).isTrue();

        cluster.startMissing();
        Conditions.require(
                DEADLINE,
                "all three nodes in one cluster, a leader for " + tp,
                () -> admin.describeCluster().nodes().get().size() == 3
                        && admin.describeTopics(List.of("fenced"))
                                        .allTopicNames()
                                        .get()
                                        .get("fenced")
                                        .partitions()
                                        .get(0)
                                        .leader()
                                != null);
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            producer.send(new ProducerRecord<>("fenced", 0, "k", "after")).get();
            acknowledged.add("after");
        }
        assertThat(cluster.values(tp, DEADLINE))
                .as("every acknowledged record, in order")
                .isEqualTo(acknowledged);
    }

    private static String incarnationOf(String nodeLog, String marker) {
        int at = nodeLog.lastIndexOf(marker);
        assertThat(at).as("'%s' in the node's log", marker).isNotNegative();
        int start = at + marker.length();
        int end = start;
        while (end < nodeLog.length() && Character.isDigit(nodeLog.charAt(end))) {
            end++;
        }
        return nodeLog.substring(start, end);
    }
}
