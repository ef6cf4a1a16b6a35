package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.AcknowledgedRecords;
import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.ScriptCluster;
import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ElectionNotNeededException;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster operations with Kafka's own tools on three node processes ({@code bin/varve cluster start},
 * PostgreSQL), one cluster for the tests, in order:
 *
 * <ol>
 *   <li>controlled shutdown: SIGTERM of a partition's leader under an idempotent {@code acks=all}
 *       producer moves the leadership to another in-sync replica before the node stops; the
 *       producer's callbacks see no error but retriable ones, and every acknowledged record is in the
 *       log exactly once, in order, at its offset;
 *   <li>preferred leader election with {@code kafka-leader-election.sh}'s class: once the stopped
 *       node is back in sync, it leads its partition again; asked again, the tool reports the valid
 *       leader already elected, and an UNCLEAN election of a led partition is not needed;
 *   <li>a rolling restart (SIGTERM, start, back in sync; node by node) into a configuration with
 *       automatic leader rebalancing: the controller gives every partition its preferred leader back,
 *       and no record is lost;
 *   <li>SIGTERM of a node whose two peers are paused: its controlled shutdown cannot reach the
 *       controller, and ends as soon as the node downs itself (the minority side), not at its
 *       timeout.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterOperationsIT extends ScriptClusterTest {
    private static final Logger log = LoggerFactory.getLogger(ClusterOperationsIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String TOPIC = "operations";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final String LEADER_ELECTION = "org.apache.kafka.tools.LeaderElectionCommand";
    private static final String EXTRA_CONFIG =
            """
            # test 2 elects by hand; test 3 turns automatic rebalancing on (node-N.extra.conf)
            varve.controller.auto-leader-rebalance.enable = off
            # test 4: a stop that outlasts this was waiting for an answer that never comes
            varve.node.controlled-shutdown-timeout = 120s
            """;

    /** The partition's first leader (its preferred replica), stopped by test 1. */
    static int stopped = -1;

    @BeforeAll
    static void start() throws Exception {
        startCluster(ClusterOperationsIT.class, EXTRA_CONFIG);
        admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 3))).all().get();
    }

    @Test
    @Order(1)
    void aLeaderStoppedWithSigtermHandsItsLeadershipOverBeforeItStops() throws Exception {
        TopicDescription before = describe();
        int leader = before.partitions().get(0).leader().id();
        assertThat(before.partitions().get(0).replicas().get(0).id())
                .as("a new partition is led by its preferred replica")
                .isEqualTo(leader);
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> describe().partitions().get(0).isr().size() == 3))
                .as("all three replicas in sync")
                .isTrue();

        Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();
        List<Exception> errors = new CopyOnWriteArrayList<>();
        produceStoppingTheLeader(leader, acknowledged, errors);
        log.info(
                "{} acknowledged; the callbacks saw {} error(s): {}",
                acknowledged.size(),
                errors.size(),
                errors.stream()
                        .map(e -> e.getClass().getSimpleName())
                        .distinct()
                        .toList());

        assertThat(errors)
                .as("the producer's callbacks saw only retriable errors")
                .allMatch(error -> error instanceof RetriableException);
        int now = describe().partitions().get(0).leader().id();
        assertThat(now).isNotEqualTo(leader);
        assertThat(cluster.log(leader))
                .as("node %d moved its leaderships before it stopped", leader)
                .containsPattern("controlled shutdown of node " + leader + " done after \\d+ ms: it leads 0 partition");
        AcknowledgedRecords.assertExactlyOnceInOrder(readAll(), acknowledged);
        stopped = leader;
    }

    @Test
    @Order(2)
    void preferredElectionMovesLeadershipBackToTheRestartedNode() throws Exception {
        assertThat(stopped).as("test 1 stopped the preferred leader").isPositive();
        cluster.startMissing();
        assertThat(Conditions.awaitTrue(DEADLINE, () -> describe().partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == stopped)))
                .as("node %d back in the ISR", stopped)
                .isTrue();
        assertThat(describe().partitions().get(0).leader().id()).isNotEqualTo(stopped);

        ChildJvm.Result elected = KafkaTools.run(
                LEADER_ELECTION,
                "--bootstrap-server",
                cluster.bootstrapServers(),
                "--election-type",
                "preferred",
                "--topic",
                TOPIC,
                "--partition",
                "0");
        assertThat(elected.exitCode()).as(elected.toString()).isZero();
        assertThat(elected.stdout())
                .contains("Successfully completed leader election (PREFERRED) for partitions " + TOPIC + "-0");
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> describe().partitions().get(0).leader().id() == stopped))
                .as("node %d leads again", stopped)
                .isTrue();

        ChildJvm.Result again = KafkaTools.run(
                LEADER_ELECTION,
                "--bootstrap-server",
                cluster.bootstrapServers(),
                "--election-type",
                "preferred",
                "--all-topic-partitions");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).doesNotContain("Error");

        ChildJvm.Result named = KafkaTools.run(
                LEADER_ELECTION,
                "--bootstrap-server",
                cluster.bootstrapServers(),
                "--election-type",
                "preferred",
                "--topic",
                TOPIC,
                "--partition",
                "0");
        assertThat(named.exitCode()).as(named.toString()).isZero();
        assertThat(named.stdout()).contains("Valid replica already elected for partitions " + TOPIC + "-0");

        ExecutionException unclean = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> admin.electLeaders(ElectionType.UNCLEAN, Set.of(TP)).all().get());
        assertThat(unclean.getCause()).isInstanceOf(ElectionNotNeededException.class);

        // the records are all still there, read from the preferred leader
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            long offset = producer.send(new ProducerRecord<>(TOPIC, 0, "k", "after-election"))
                    .get()
                    .offset();
            assertThat(readAll()).last().extracting(ConsumerRecord::offset).isEqualTo(offset);
        }
    }

    @Test
    @Order(3)
    void afterARollingRestartAutomaticRebalancingRestoresThePreferredLeaders() throws Exception {
        String topic = "balanced";
        admin.createTopics(List.of(new NewTopic(topic, 6, (short) 3))).all().get();
        List<TopicPartition> partitions = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int p = 0; p < 6; p++) {
                partitions.add(new TopicPartition(topic, p));
                for (int i = 0; i < 50; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k", "b" + i)).get();
                }
            }
        }
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            java.nio.file.Files.writeString(
                    cluster.dir().resolve("node-" + n + ".extra.conf"),
                    "varve.controller.auto-leader-rebalance { enable = on, check-interval = 2s }\n");
        }
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            cluster.terminate(n);
            cluster.startMissing();
            int restarted = n;
            assertThat(Conditions.awaitTrue(DEADLINE, () -> allInSync(topic)))
                    .as(() -> "every replica of " + topic + " in sync after node " + restarted + " restarted: "
                            + isrReport(topic))
                    .isTrue();
        }
        assertThat(Conditions.awaitTrue(DEADLINE, () -> describe(topic).partitions().stream()
                        .allMatch(p -> p.leader() != null
                                && p.leader().id() == p.replicas().get(0).id())))
                .as("every partition of %s led by its preferred replica: %s", topic, describe(topic))
                .isTrue();
        boolean rebalanced = false;
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            rebalanced |= cluster.log(n).contains("partition(s) back to their preferred leaders");
        }
        assertThat(rebalanced).as("the controller rebalanced the leaders").isTrue();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            assertThat(consumer.endOffsets(partitions, Duration.ofSeconds(60)).values())
                    .containsOnly(50L);
        }
    }

    @Test
    @Order(4)
    void aNodeDownedDuringItsControlledShutdownStopsWithoutWaitingForTheController() throws Exception {
        int stopping = 2;
        int[] others = {1, 3};
        ProcessHandle process = ProcessHandle.of(cluster.pid(stopping)).orElseThrow();
        int logBefore = cluster.log(stopping).length();
        for (int other : others) {
            cluster.pause(other);
        }
        try {
            // its controlled shutdown asks a controller that cannot answer; cut off from the other
            // two, the node's split-brain resolver downs it (the minority side) while it waits
            cluster.requestStop(stopping);
            assertThat(process.onExit())
                    .as("node %d stopped well before its 120 s controlled-shutdown timeout", stopping)
                    .succeedsWithin(Duration.ofSeconds(90));
        } finally {
            for (int other : others) {
                cluster.resume(other);
            }
        }
        String since = cluster.log(stopping).substring(logBefore);
        assertThat(since)
                .contains("controlled shutdown of node " + stopping + ": moving")
                .contains("controlled shutdown of node " + stopping + ": the node is no longer a cluster member");
        cluster.startMissing();
        assertThat(Conditions.awaitTrue(DEADLINE, () -> allInSync("balanced")))
                .as(() -> "node " + stopping + " back in every ISR of balanced: " + isrReport("balanced"))
                .isTrue();
    }

    // ---- helpers ----

    private static boolean allInSync(String topic) throws Exception {
        return describe(topic).partitions().stream().allMatch(p -> p.isr().size() == 3 && p.leader() != null);
    }

    /**
     * For a failed wait: each partition's leader, replicas and ISR, and what the nodes logged about
     * the topic's ISR changes (expansions asked for, refusals, shrinks).
     */
    private static String isrReport(String topic) {
        StringBuilder report = new StringBuilder();
        try {
            describe(topic)
                    .partitions()
                    .forEach(p -> report.append(String.format(
                            "%n  %s-%d leader %s replicas %s isr %s",
                            topic,
                            p.partition(),
                            p.leader() == null ? "none" : p.leader().id(),
                            p.replicas().stream().map(node -> node.id()).toList(),
                            p.isr().stream().map(node -> node.id()).toList())));
        } catch (Exception e) {
            report.append(String.format("%n  describe failed: %s", e));
        }
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            int node = n;
            cluster.log(n)
                    .lines()
                    .filter(line ->
                            line.contains(topic + "-") && (line.contains("ISR") || line.contains("AlterPartition")))
                    .forEach(line -> report.append(String.format("%n  node %d: %s", node, line)));
        }
        return report.toString();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    /**
     * Idempotent acks=all produce of v0, v1, ... with at most 500 in flight; SIGTERM of the leader
     * after 1500 acknowledgements, on until 2000 more are acknowledged after the stop.
     */
    private static void produceStoppingTheLeader(int leader, Map<Integer, Long> acknowledged, List<Exception> errors)
            throws Exception {
        Semaphore inFlight = new Semaphore(500);
        int sent = 0;
        int ackedAtStop = -1;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000))) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(240));
            Thread stopper = null;
            while ((ackedAtStop < 0 || acknowledged.size() < ackedAtStop + 2000)
                    && Instant.now().isBefore(deadline)) {
                if (ackedAtStop < 0 && acknowledged.size() >= 1500) {
                    ackedAtStop = acknowledged.size();
                    stopper = new Thread(() -> {
                        try {
                            cluster.terminate(leader);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    stopper.start();
                    log.info("SIGTERM to leader {} of {} after {} acknowledged records", leader, TP, ackedAtStop);
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int i = sent++;
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i), (metadata, error) -> {
                    inFlight.release();
                    if (error == null) {
                        acknowledged.put(i, metadata.offset());
                    } else {
                        errors.add(error);
                    }
                });
            }
            producer.flush();
            if (stopper != null) {
                stopper.join(TimeUnit.SECONDS.toMillis(150));
            }
        }
        assertThat(ackedAtStop).as("the leader was stopped").isPositive();
        assertThat(cluster.isRunning(leader)).as("node %d stopped", leader).isFalse();
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ackedAtStop + 2000);
    }

    private static TopicDescription describe() throws Exception {
        return describe(TOPIC);
    }

    /** Every record of the partition from its start to its end offset. */
    private static List<ConsumerRecord<String, String>> readAll() {
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long end = consumer.endOffsets(List.of(TP), Duration.ofSeconds(60)).get(TP);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(DEADLINE);
            while (consumer.position(TP) < end && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.position(TP)).as("position in %s", TP).isEqualTo(end);
            return records;
        }
    }
}
