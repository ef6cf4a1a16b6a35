package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Partition reassignment and scaling with Kafka's own {@code kafka-reassign-partitions.sh} on node
 * processes ({@code bin/varve cluster start}, PostgreSQL), one cluster for every test, in order:
 *
 * <ol>
 *   <li>{@code --execute} moves a partition from nodes 1,2 to 2,3 while a producer writes; {@code
 *       --verify} reports it completed; every acknowledged record (before and during the move) is
 *       read back once at its offset, the segment files of the new replicas are byte-identical, and
 *       node 1's log directory of the partition is gone;
 *   <li>{@code --execute --throttle} throttles a move to the rate, and {@code --verify} removes the
 *       throttles once it completed;
 *   <li>{@code --execute --additional --throttle} of the plan in progress changes the throttle and
 *       leaves the move as it was; {@code --cancel} of that (throttled, so unfinished) move reverts it: the original replicas,
 *       ISR and leader, the added replica deleted, no reassignment listed, the throttles cleared, and
 *       every acknowledged record read back at its offset;
 *   <li>{@code --execute} while a move runs is refused without {@code --additional}; with it, a second
 *       move starts and the new {@code --throttle} applies to both, which then complete;
 *   <li>scaling: a fourth node joins and every partition on node 3 is reassigned to it; node 3,
 *       emptied, is stopped (decommissioned), and the cluster carries on: records are produced with
 *       {@code acks=all} and read back; {@code kafka-log-dirs.sh --describe} lists the moved
 *       partitions in node 4's log directory.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReassignmentIT extends ScriptClusterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String REASSIGN = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
    private static final String LOG_DIRS = "org.apache.kafka.tools.LogDirsCommand";
    private static final String SEGMENT = "00000000000000000000.log";
    /** 1 MB/s, as {@code --throttle 1000000}. */
    private static final long THROTTLE = 1_000_000;
    /** About 12 MB: some 12 s at the throttle, well under a second without it on an idle machine. */
    private static final int THROTTLED_RECORDS = 1_200;
    /** 10 kB/s: the few MB of a partition take minutes to copy, so the move is surely still running. */
    private static final long CRAWL = 10_000;
    /** About 3 MB a partition for the moves that a test cancels or speeds up. */
    private static final int SLOW_RECORDS = 300;

    private static final List<String> THROTTLE_RATES =
            List.of("leader.replication.throttled.rate", "follower.replication.throttled.rate");
    private static final String EXTRA_CONFIG =
            """
            varve.controller.auto-leader-rebalance.enable = off
            """;

    @BeforeAll
    static void start() throws Exception {
        startCluster(ReassignmentIT.class, EXTRA_CONFIG);
    }

    @Test
    @Order(1)
    void kafkaReassignPartitionsMovesAReplicaWithItsRecords() throws Exception {
        String topic = "moving";
        TopicPartition tp = new TopicPartition(topic, 0);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2)))))
                .all()
                .get();
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 300; i++) {
                String value = "before-" + i;
                producer.send(new ProducerRecord<>(topic, 0, "k", value), (m, e) -> {
                    if (e == null) {
                        acknowledged.put(value, m.offset());
                    }
                });
            }
            producer.flush();
        }
        assertThat(acknowledged).hasSize(300);

        Path plan = writePlan(Map.of(tp, List.of(2, 3)));
        AtomicBoolean moving = new AtomicBoolean(true);
        Thread writer = new Thread(() -> produceWhile(topic, moving, acknowledged));
        writer.start();
        ChildJvm.Result executed = reassign(plan, "--execute");
        assertThat(executed.exitCode()).as(executed.toString()).isZero();
        assertThat(executed.stdout()).contains("Successfully started partition reassignment for " + tp);
        Conditions.require(DEADLINE, "--verify reports the move completed", () -> reassign(plan, "--verify")
                .stdout()
                .contains("Reassignment of partition " + tp + " is completed."));
        moving.set(false);
        writer.join(60_000);
        assertThat(acknowledged.keySet().stream().filter(v -> v.startsWith("during-")))
                .as("records acknowledged during the move")
                .isNotEmpty();

        ChildJvm.Result verified = reassign(plan, "--verify");
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        TopicPartitionInfo partition = describe(topic).partitions().get(0);
        assertThat(partition.replicas()).extracting(Node::id).containsExactly(2, 3);
        assertThat(partition.leader().id()).isIn(2, 3);
        assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
        Conditions.require(DEADLINE, "node 1's log of " + tp + " deleted", () -> !Files.exists(logDir(1, tp)));
        Conditions.require(
                DEADLINE,
                "the new replicas' segments byte-identical",
                () -> Arrays.equals(
                        Files.readAllBytes(logDir(2, tp).resolve(SEGMENT)),
                        Files.readAllBytes(logDir(3, tp).resolve(SEGMENT))));
        assertReadOnceAtTheirOffsets(tp, acknowledged);
    }

    @Test
    @Order(2)
    void aThrottledMoveCatchesUpAtTheThrottleAndVerifyRemovesTheThrottles() throws Exception {
        String topic = "throttled";
        TopicPartition tp = new TopicPartition(topic, 0);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2)))))
                .all()
                .get();
        produceIncompressible(topic, THROTTLED_RECORDS);
        long bytes = Files.size(logDir(1, tp).resolve(SEGMENT));

        Path plan = writePlan(Map.of(tp, List.of(1, 3)));
        long started = System.nanoTime();
        ChildJvm.Result executed = reassign(plan, "--execute", "--throttle", Long.toString(THROTTLE));
        assertThat(executed.exitCode()).as(executed.toString()).isZero();
        assertThat(executed.stdout())
                .contains("Warning: You must run --verify periodically")
                .contains("The inter-broker throttle limit was set to " + THROTTLE + " B/s")
                .contains("Successfully started partition reassignment for " + tp);
        // what the tool set: the moving partition's sources lead throttled, its new replica follows
        // throttled, and every broker of the move has both rates
        assertThat(topicConfig(topic, "leader.replication.throttled.replicas").value())
                .isEqualTo("0:1,0:2");
        assertThat(topicConfig(topic, "follower.replication.throttled.replicas").value())
                .isEqualTo("0:3");
        for (int node = 1; node <= 3; node++) {
            for (String rate : THROTTLE_RATES) {
                ConfigEntry entry = brokerConfig(node, rate);
                assertThat(entry.value()).as("%s of node %d", rate, node).isEqualTo(Long.toString(THROTTLE));
                assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_BROKER_CONFIG);
            }
        }

        Conditions.require(
                DEADLINE, "node 3 in the ISR of " + tp, () -> describe(topic).partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == 3));
        double throttledSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(
                "ReassignmentIT: throttled catch-up of %d bytes in %.1f s (%.2f MB/s, throttle %.2f MB/s)%n",
                bytes, throttledSeconds, bytes / throttledSeconds / 1e6, THROTTLE / 1e6);
        // the leader's quota lets through at most one second's credit and one fetch (1 MiB) beyond
        // the rate, so this many bytes cannot arrive in less than about (bytes - 2.1 MB) / rate; the
        // bound asserted is half the nominal time, far below that, so a slow machine cannot fail it
        assertThat(throttledSeconds)
                .as("catch-up of %d bytes at %d B/s", bytes, THROTTLE)
                .isGreaterThan(bytes / (2.0 * THROTTLE));

        Conditions.require(DEADLINE, "--verify reports the throttled move completed", () -> reassign(plan, "--verify")
                .stdout()
                .contains("Reassignment of partition " + tp + " is completed."));
        ChildJvm.Result verified = reassign(plan, "--verify");
        assertThat(verified.stdout())
                .contains("Clearing broker-level throttles on brokers 1,2,3")
                .contains("Clearing topic-level throttles on topic " + topic);
        assertNoThrottles(topic);
        assertThat(describe(topic).partitions().get(0).replicas())
                .extracting(Node::id)
                .containsExactly(1, 3);
        Conditions.require(DEADLINE, "node 2's log of " + tp + " deleted", () -> !Files.exists(logDir(2, tp)));
        Conditions.require(
                DEADLINE,
                "node 3's segment byte-identical to the leader's",
                () -> Arrays.equals(
                        Files.readAllBytes(logDir(1, tp).resolve(SEGMENT)),
                        Files.readAllBytes(logDir(3, tp).resolve(SEGMENT))));

        // the same bytes moved back to node 2 without a throttle, for the figure in the log
        Path back = writePlan(Map.of(tp, List.of(1, 2)));
        long unthrottledStart = System.nanoTime();
        ChildJvm.Result moveBack = reassign(back, "--execute");
        assertThat(moveBack.exitCode()).as(moveBack.toString()).isZero();
        Conditions.require(
                DEADLINE, "node 2 in the ISR of " + tp, () -> describe(topic).partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == 2));
        double unthrottledSeconds = (System.nanoTime() - unthrottledStart) / 1e9;
        System.out.printf(
                "ReassignmentIT: unthrottled catch-up of the same %d bytes in %.1f s (%.2f MB/s)%n",
                bytes, unthrottledSeconds, bytes / unthrottledSeconds / 1e6);
        Conditions.require(
                DEADLINE,
                "the move back completed",
                () -> admin.listPartitionReassignments().reassignments().get().isEmpty());
    }

    @Test
    @Order(3)
    void cancelRevertsAMoveInProgressToItsOriginalReplicasIsrAndLeader() throws Exception {
        String topic = "cancelled";
        TopicPartition tp = new TopicPartition(topic, 0);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2)))))
                .all()
                .get();
        Map<String, Long> acknowledged = produceIncompressible(tp, SLOW_RECORDS, 31);
        TopicPartitionInfo before = describe(topic).partitions().get(0);
        assertThat(before.leader().id()).isEqualTo(1);
        assertThat(before.isr()).extracting(Node::id).containsExactlyInAnyOrder(1, 2);

        Path plan = writePlan(Map.of(tp, List.of(1, 3)));
        ChildJvm.Result executed = reassign(plan, "--execute", "--throttle", Long.toString(CRAWL));
        assertThat(executed.exitCode()).as(executed.toString()).isZero();
        assertThat(executed.stdout()).contains("Successfully started partition reassignment for " + tp);
        // node 3 copies at 10 kB/s: running, with some bytes on its disk, for minutes
        Conditions.require(
                DEADLINE,
                "node 3 copying " + tp,
                () -> Files.exists(logDir(3, tp).resolve(SEGMENT))
                        && Files.size(logDir(3, tp).resolve(SEGMENT)) > 0);
        PartitionReassignment running =
                admin.listPartitionReassignments().reassignments().get().get(tp);
        assertThat(running).as("the move listed").isNotNull();
        assertThat(running.replicas()).containsExactly(1, 3, 2);
        assertThat(running.addingReplicas()).containsExactly(3);
        assertThat(running.removingReplicas()).containsExactly(2);
        assertThat(list().stdout())
                .contains("Current partition reassignments:")
                .contains(tp + ": replicas: 1,3,2. adding: 3. removing: 2.");

        // the tool's way to change a throttle: the plan in progress resubmitted with --additional;
        // the move stays as it was (3 still being added), and the tool throttles the same replicas
        ChildJvm.Result slower = reassign(plan, "--execute", "--additional", "--throttle", Long.toString(CRAWL / 2));
        assertThat(slower.exitCode()).as(slower.toString()).isZero();
        assertThat(slower.stdout()).contains("The inter-broker throttle limit was set to " + CRAWL / 2 + " B/s");
        assertThat(list().stdout()).contains(tp + ": replicas: 1,3,2. adding: 3. removing: 2.");
        assertThat(topicConfig(topic, "leader.replication.throttled.replicas").value())
                .isEqualTo("0:1,0:2");
        assertThat(topicConfig(topic, "follower.replication.throttled.replicas").value())
                .isEqualTo("0:3");
        assertThat(brokerConfig(3, "follower.replication.throttled.rate").value())
                .isEqualTo(Long.toString(CRAWL / 2));

        ChildJvm.Result cancelled = reassign(plan, "--cancel");
        assertThat(cancelled.exitCode()).as(cancelled.toString()).isZero();
        assertThat(cancelled.stdout())
                .contains("Successfully cancelled partition reassignment for: " + tp)
                .contains("Clearing broker-level throttles on brokers 1,2,3")
                .contains("Clearing topic-level throttles on topic " + topic);
        assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
        assertThat(list().stdout()).contains("No partition reassignments found.");
        Conditions.require(DEADLINE, "the original replicas, ISR and leader of " + tp, () -> {
            TopicPartitionInfo p = describe(topic).partitions().get(0);
            return p.replicas().stream().map(Node::id).toList().equals(List.of(1, 2))
                    && p.isr().stream().map(Node::id).sorted().toList().equals(List.of(1, 2))
                    && p.leader() != null
                    && p.leader().id() == 1;
        });
        assertNoThrottles(topic);
        Conditions.require(DEADLINE, "node 3's copy of " + tp + " deleted", () -> !Files.exists(logDir(3, tp)));

        // the partition takes acks=all writes on its original replicas, and holds exactly what was acknowledged
        acknowledged.putAll(produceIncompressible(tp, 20, 32));
        assertReadOnceAtTheirOffsets(tp, acknowledged);
        assertThat(acknowledged).hasSize(SLOW_RECORDS + 20);

        // nothing left to cancel: the tool says so, the API answers NO_REASSIGNMENT_IN_PROGRESS
        ChildJvm.Result again = reassign(plan, "--cancel");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("None of the specified partition reassignments are active.");
        assertThatThrownBy(() -> admin.alterPartitionReassignments(Map.of(tp, Optional.empty()))
                        .all()
                        .get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(NoReassignmentInProgressException.class);
    }

    @Test
    @Order(4)
    void additionalStartsASecondMoveAndRaisesTheThrottleOfBoth() throws Exception {
        String topic = "additional";
        TopicPartition first = new TopicPartition(topic, 0);
        TopicPartition second = new TopicPartition(topic, 1);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(1, 2), 1, List.of(1, 2)))))
                .all()
                .get();
        Map<String, Long> firstAcked = produceIncompressible(first, SLOW_RECORDS, 41);
        Map<String, Long> secondAcked = produceIncompressible(second, SLOW_RECORDS, 42);

        Path firstPlan = writePlan(Map.of(first, List.of(1, 3)));
        ChildJvm.Result crawling = reassign(firstPlan, "--execute", "--throttle", Long.toString(CRAWL));
        assertThat(crawling.exitCode()).as(crawling.toString()).isZero();
        Conditions.require(
                DEADLINE,
                "node 3 copying " + first,
                () -> Files.exists(logDir(3, first).resolve(SEGMENT))
                        && Files.size(logDir(3, first).resolve(SEGMENT)) > 0);

        // the second move takes partition 1's leader (node 1) out: node 3 leads it afterwards
        Path secondPlan = writePlan(Map.of(second, List.of(3, 2)));
        ChildJvm.Result refused = reassign(secondPlan, "--execute");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.stdout()).contains("Cannot execute because there is an existing partition assignment.");
        assertThat(admin.listPartitionReassignments().reassignments().get()).containsOnlyKeys(first);
        assertThat(describe(topic).partitions().get(1).replicas())
                .extracting(Node::id)
                .containsExactly(1, 2);

        long fast = 100_000_000;
        ChildJvm.Result added = reassign(secondPlan, "--execute", "--additional", "--throttle", Long.toString(fast));
        assertThat(added.exitCode()).as(added.toString()).isZero();
        assertThat(added.stdout())
                .contains("The inter-broker throttle limit was set to " + fast + " B/s")
                .contains("Successfully started partition reassignment for " + second);
        // the tool throttles both moves: the first's sources and destination as well as the second's
        assertThat(topicConfig(topic, "leader.replication.throttled.replicas").value())
                .isEqualTo("0:1,0:2,1:1,1:2");
        assertThat(topicConfig(topic, "follower.replication.throttled.replicas").value())
                .isEqualTo("0:3,1:3");
        for (int node = 1; node <= 3; node++) {
            for (String rate : THROTTLE_RATES) {
                assertThat(brokerConfig(node, rate).value())
                        .as("%s of node %d", rate, node)
                        .isEqualTo(Long.toString(fast));
            }
        }
        // at 10 kB/s the first move would need minutes more: it completes within the deadline only
        // because the raised rate applies to it too
        Conditions.require(
                DEADLINE,
                "both moves completed",
                () -> admin.listPartitionReassignments().reassignments().get().isEmpty());
        Path both = writePlan(Map.of(first, List.of(1, 3), second, List.of(3, 2)));
        ChildJvm.Result verified = reassign(both, "--verify");
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.stdout())
                .contains("Reassignment of partition " + first + " is completed.")
                .contains("Reassignment of partition " + second + " is completed.")
                .contains("Clearing broker-level throttles on brokers 1,2,3")
                .contains("Clearing topic-level throttles on topic " + topic);
        assertNoThrottles(topic);

        List<TopicPartitionInfo> partitions = describe(topic).partitions();
        assertThat(partitions.get(0).replicas()).extracting(Node::id).containsExactly(1, 3);
        assertThat(partitions.get(0).isr()).extracting(Node::id).containsExactlyInAnyOrder(1, 3);
        assertThat(partitions.get(0).leader().id()).isEqualTo(1);
        assertThat(partitions.get(1).replicas()).extracting(Node::id).containsExactly(3, 2);
        assertThat(partitions.get(1).isr()).extracting(Node::id).containsExactlyInAnyOrder(3, 2);
        assertThat(partitions.get(1).leader().id()).isEqualTo(3);
        Conditions.require(
                DEADLINE,
                "the removed replicas deleted",
                () -> !Files.exists(logDir(2, first)) && !Files.exists(logDir(1, second)));
        assertReadOnceAtTheirOffsets(first, firstAcked);
        assertReadOnceAtTheirOffsets(second, secondAcked);
    }

    @Test
    @Order(5)
    void aFourthNodeTakesOverEveryPartitionOfADecommissionedNode() throws Exception {
        String topic = "scaled";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 3))).all().get();
        produce(topic, "first", 50);

        cluster.addNode();
        Conditions.require(DEADLINE, "node 4 in the cluster", () -> admin.describeCluster().nodes().get().stream()
                .anyMatch(node -> node.id() == 4));
        Map<TopicPartition, List<Integer>> offNodeThree = new HashMap<>();
        for (TopicDescription description : admin.describeTopics(
                        admin.listTopics(new ListTopicsOptions().listInternal(true))
                                .names()
                                .get())
                .allTopicNames()
                .get()
                .values()) {
            for (TopicPartitionInfo p : description.partitions()) {
                List<Integer> replicas = p.replicas().stream().map(Node::id).toList();
                if (replicas.contains(3)) {
                    offNodeThree.put(
                            new TopicPartition(description.name(), p.partition()),
                            replicas.stream().map(id -> id == 3 ? 4 : id).toList());
                }
            }
        }
        assertThat(offNodeThree).containsKeys(new TopicPartition(topic, 0), new TopicPartition(topic, 1));

        Path plan = writePlan(offNodeThree);
        ChildJvm.Result executed = reassign(plan, "--execute");
        assertThat(executed.exitCode()).as(executed.toString()).isZero();
        Conditions.require(
                DEADLINE,
                "every move onto node 4 completed",
                () -> admin.listPartitionReassignments().reassignments().get().isEmpty());
        ChildJvm.Result verified = reassign(plan, "--verify");
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        offNodeThree.keySet().forEach(tp -> assertThat(verified.stdout())
                .contains("Reassignment of partition " + tp + " is completed."));
        Conditions.require(DEADLINE, "node 3 holds no partition any more", () -> partitionDirs(3)
                .isEmpty());

        cluster.terminate(3);
        produce(topic, "second", 50);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0), new TopicPartition(topic, 1));
            assertThat(consumer.endOffsets(partitions, Duration.ofSeconds(60)).values())
                    .containsOnly(100L);
        }
        for (TopicPartitionInfo p : describe(topic).partitions()) {
            assertThat(p.replicas()).extracting(Node::id).doesNotContain(3).contains(4);
        }
    }

    // ---- helpers ----

    private static ChildJvm.Result reassign(Path plan, String... action) throws Exception {
        List<String> args = new ArrayList<>(
                List.of("--bootstrap-server", cluster.bootstrapServers(), "--reassignment-json-file", plan.toString()));
        args.addAll(List.of(action));
        return KafkaTools.run(REASSIGN, args.toArray(new String[0]));
    }

    /** {@code count} records of 10,000 random letters (so the log holds about 10 kB a record). */
    private static void produceIncompressible(String topic, int count) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        assertThat(produceIncompressible(tp, count, 73)).hasSize(count);
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            assertThat(consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp))
                    .isEqualTo(count);
        }
    }

    /**
     * {@code count} acks=all records of 10,000 random letters (from {@code seed}) into {@code tp};
     * returns each acknowledged value with its offset (every one: a failed send fails the test).
     */
    private static Map<String, Long> produceIncompressible(TopicPartition tp, int count, long seed) throws Exception {
        Random random = new Random(seed);
        Map<String, Long> acknowledged = new ConcurrentHashMap<>();
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < count; i++) {
                StringBuilder value = new StringBuilder(10_000);
                for (int c = 0; c < 10_000; c++) {
                    value.append((char) ('a' + random.nextInt(26)));
                }
                String v = value.toString();
                sends.add(producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), "k" + i, v), (m, e) -> {
                    if (e == null) {
                        acknowledged.put(v, m.offset());
                    }
                }));
            }
            producer.flush();
            for (var send : sends) {
                send.get();
            }
        }
        return acknowledged;
    }

    /** {@code kafka-reassign-partitions.sh --list}. */
    private static ChildJvm.Result list() throws Exception {
        ChildJvm.Result listed = KafkaTools.run(REASSIGN, "--bootstrap-server", cluster.bootstrapServers(), "--list");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        return listed;
    }

    /** No throttled replicas on {@code topic}, no throttle rate on any of the three nodes. */
    private static void assertNoThrottles(String topic) throws Exception {
        for (String list :
                List.of("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")) {
            ConfigEntry entry = topicConfig(topic, list);
            assertThat(entry.value()).as(list).isEmpty();
            assertThat(entry.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        }
        for (int node = 1; node <= 3; node++) {
            for (String rate : THROTTLE_RATES) {
                // no dynamic value left: Varve lists an unset dynamic key only when asked by name
                ConfigEntry entry = brokerConfig(node, rate);
                assertThat(entry == null || entry.source() == ConfigEntry.ConfigSource.DEFAULT_CONFIG)
                        .as("%s of node %d: %s", rate, node, entry)
                        .isTrue();
            }
        }
    }

    private static ConfigEntry topicConfig(String topic, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource))
                .all()
                .get()
                .get(resource)
                .get(name);
    }

    private static ConfigEntry brokerConfig(int node, String name) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(node));
        return admin.describeConfigs(List.of(resource))
                .all()
                .get()
                .get(resource)
                .get(name);
    }

    /** The reassignment JSON file of {@code kafka-reassign-partitions.sh}. */
    private static Path writePlan(Map<TopicPartition, List<Integer>> targets) throws Exception {
        List<String> entries = new ArrayList<>();
        targets.forEach((tp, replicas) -> entries.add("{\"topic\":\"" + tp.topic() + "\",\"partition\":"
                + tp.partition() + ",\"replicas\":" + replicas.toString().replace(" ", "") + "}"));
        Path plan = Files.createTempFile(cluster.dir(), "reassignment", ".json");
        Files.writeString(plan, "{\"version\":1,\"partitions\":[" + String.join(",", entries) + "]}");
        return plan;
    }

    private static void produceWhile(String topic, AtomicBoolean moving, Map<String, Long> acknowledged) {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5))) {
            for (int i = 0; moving.get(); i++) {
                String value = "during-" + i;
                long offset = producer.send(new ProducerRecord<>(topic, 0, "k", value))
                        .get()
                        .offset();
                acknowledged.put(value, offset);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void produce(String topic, String prefix, int perPartition) throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k", prefix + "-" + i))
                            .get();
                }
            }
        }
    }

    private static void assertReadOnceAtTheirOffsets(TopicPartition tp, Map<String, Long> acknowledged) {
        Map<String, Long> read = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            Instant deadline = Instant.now().plus(DEADLINE);
            while (consumer.position(tp) < end && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    assertThat(read.put(record.value(), record.offset()))
                            .as(record.value())
                            .isNull();
                }
            }
            assertThat(consumer.position(tp)).isEqualTo(end);
        }
        acknowledged.forEach((value, offset) ->
                assertThat(read.get(value)).as("acknowledged %s", value).isEqualTo(offset));
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Path logDir(int node, TopicPartition tp) {
        return cluster.dataDir(node).resolve(tp.topic() + "-" + tp.partition());
    }

    /** Node {@code n}'s partition directories (topic-partition). */
    private static List<Path> partitionDirs(int node) throws Exception {
        try (Stream<Path> entries = Files.list(cluster.dataDir(node))) {
            return entries.filter(Files::isDirectory)
                    .filter(dir -> dir.getFileName().toString().matches(".+-\\d+"))
                    .toList();
        }
    }
}
