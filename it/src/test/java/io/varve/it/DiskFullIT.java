package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.AcknowledgedRecords;
import io.varve.it.support.ScriptClusterTest;
import io.varve.storage.testing.Conditions;
import io.varve.storage.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full disk on one node of three (issue 13), for real: node 2's data directory is a 32 MiB tmpfs
 * (root only: elsewhere the class is skipped, saying why), node 2 leads the partition, and while an
 * idempotent {@code acks=all} producer writes, a filler file takes the last free byte. In order:
 *
 * <ol>
 *   <li>node 2 hits ENOSPC, logs an ERROR naming its data directory and the cause, hands its
 *       leadership over (controlled shutdown) and stops; the producer carries on with the new leader,
 *       seeing only retriable errors, and every acknowledged record is read back once, in order, at
 *       its offset;
 *   <li>with the filler removed, node 2 starts again, recovers its log (no clean-shutdown marker was
 *       written), rejoins the ISR, and its segment is byte-identical to the leader's.
 * </ol>
 *
 * The times from the filled disk to the new leader and to the first acknowledgement it gave are
 * logged (figures in {@code docs/cluster.md}), never asserted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DiskFullIT extends ScriptClusterTest {
    private static final Logger log = LoggerFactory.getLogger(DiskFullIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String TOPIC = "disk-full";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final int FULL_NODE = 2;
    private static final long TMPFS_BYTES = 32L << 20;

    private static Tmpfs tmpfs;
    private static final Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = clusterDir(DiskFullIT.class).resolve("node-" + FULL_NODE);
        Tmpfs.unmountIfMounted(dataDir); // an interrupted earlier run
        startCluster(DiskFullIT.class, "", prepared -> tmpfs = Tmpfs.mountOrSkip(dataDir, TMPFS_BYTES));
        NewTopic topic =
                new NewTopic(TOPIC, Map.of(0, List.of(FULL_NODE, 1, 3))).configs(Map.of("min.insync.replicas", "2"));
        admin.createTopics(List.of(topic)).all().get();
    }

    @AfterAll
    static void unmount() throws Exception {
        stopCluster(); // the nodes first: node 2 may still run on the tmpfs
        if (tmpfs != null) {
            tmpfs.close();
            tmpfs = null;
        }
    }

    @Test
    @Order(1)
    void aFullDiskStopsTheNodeAndItsLeadershipMovesWithoutLosingAnAcknowledgedRecord() throws Exception {
        assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                    TopicDescription d = describe();
                    return d.partitions().get(0).isr().size() == 3
                            && d.partitions().get(0).leader().id() == FULL_NODE;
                }))
                .as("node %d leads %s with all three replicas in sync", FULL_NODE, TP)
                .isTrue();

        List<Exception> errors = new CopyOnWriteArrayList<>();
        Timeline timeline = produceFillingTheDisk(errors);
        log.info(
                "disk of node {} full at +0 ms; new leader named at +{} ms; first acknowledgement from it at +{} ms;"
                        + " longest gap between acknowledgements {} ms; {} acknowledged, callbacks saw {} error(s): {}",
                FULL_NODE,
                timeline.leaderMovedMs(),
                timeline.firstAckAfterMoveMs(),
                timeline.longestGapMs(),
                acknowledged.size(),
                errors.size(),
                errors.stream()
                        .map(e -> e.getClass().getSimpleName())
                        .distinct()
                        .toList());

        assertThat(errors)
                .as("the producer's callbacks saw only retriable errors")
                .allMatch(error -> error instanceof RetriableException);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> !cluster.isRunning(FULL_NODE)))
                .as("node %d stopped", FULL_NODE)
                .isTrue();
        int leader = describe().partitions().get(0).leader().id();
        assertThat(leader).isIn(1, 3);
        String nodeLog = cluster.log(FULL_NODE);
        assertThat(nodeLog)
                .as("an ERROR names the data directory and the cause")
                .containsPattern("ERROR .*the data directory "
                        + Pattern.quote(cluster.dataDir(FULL_NODE).toString()) + " failed: .*No space left on device")
                .contains("Shutting down node " + FULL_NODE + " because its data directory")
                .containsPattern(
                        "controlled shutdown of node " + FULL_NODE + " done after \\d+ ms: it leads 0 partition")
                .contains("no clean-shutdown marker in the failed data directory");
        AcknowledgedRecords.assertExactlyOnceInOrder(readAll(), acknowledged);
    }

    @Test
    @Order(2)
    void afterSpaceIsFreedTheRestartedNodeRecoversAndRejoinsTheIsr() throws Exception {
        assertThat(cluster.isRunning(FULL_NODE))
                .as("test 1 stopped node %d", FULL_NODE)
                .isFalse();
        Files.delete(cluster.dataDir(FULL_NODE).resolve("filler"));
        int logBefore = cluster.log(FULL_NODE).length();
        cluster.start(FULL_NODE);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> describe().partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == FULL_NODE)))
                .as("node %d back in the ISR of %s", FULL_NODE, TP)
                .isTrue();
        assertThat(cluster.log(FULL_NODE).substring(logBefore))
                .as("node %d recovered its log: the failed directory had no clean-shutdown marker", FULL_NODE)
                .containsPattern("loaded " + TOPIC + "-0: .*clean shutdown false");

        try (KafkaProducer<String, String> producer = cluster.producer(
                Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true))) {
            int next = acknowledged.keySet().stream()
                            .mapToInt(Integer::intValue)
                            .max()
                            .orElse(-1)
                    + 1;
            for (int i = next; i < next + 100; i++) {
                acknowledged.put(
                        i,
                        producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i))
                                .get()
                                .offset());
            }
        }
        AcknowledgedRecords.assertExactlyOnceInOrder(readAll(), acknowledged);
        int leader = describe().partitions().get(0).leader().id();
        Path leaderSegment = segment(leader);
        Path recoveredSegment = segment(FULL_NODE);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> Files.size(recoveredSegment) == Files.size(leaderSegment)))
                .as("node %d caught up with leader %d", FULL_NODE, leader)
                .isTrue();
        assertThat(Files.mismatch(recoveredSegment, leaderSegment))
                .as("node %d's segment is byte-identical to leader %d's", FULL_NODE, leader)
                .isEqualTo(-1L);
    }

    // ---- helpers ----

    /** Milliseconds after the disk filled up. */
    private record Timeline(long leaderMovedMs, long firstAckAfterMoveMs, long longestGapMs) {}

    /**
     * Idempotent acks=all produce of v0, v1, ... with at most 200 in flight; the disk of node 2 fills
     * after 1000 acknowledgements; on until the leader moved and 1000 more were acknowledged after it.
     */
    private static Timeline produceFillingTheDisk(List<Exception> errors) throws Exception {
        Semaphore inFlight = new Semaphore(200);
        List<Long> ackNanos = new CopyOnWriteArrayList<>();
        AtomicLong movedAt = new AtomicLong();
        long fullAt = 0;
        int ackedAtMove = -1;
        int sent = 0;
        Thread watcher = null;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            while ((ackedAtMove < 0 || acknowledged.size() < ackedAtMove + 1000) && System.nanoTime() < deadline) {
                if (fullAt == 0 && acknowledged.size() >= 1000) {
                    long filler = tmpfs.fill(cluster.dataDir(FULL_NODE).resolve("filler"));
                    fullAt = System.nanoTime();
                    log.info(
                            "node {}'s data dir is full: {} filler bytes after {} acknowledged records",
                            FULL_NODE,
                            filler,
                            acknowledged.size());
                    watcher = watchLeader(movedAt);
                }
                if (ackedAtMove < 0 && movedAt.get() != 0) {
                    ackedAtMove = acknowledged.size();
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int i = sent++;
                producer.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i), (metadata, error) -> {
                    inFlight.release();
                    if (error == null) {
                        ackNanos.add(System.nanoTime());
                        acknowledged.put(i, metadata.offset());
                    } else {
                        errors.add(error);
                    }
                });
            }
            producer.flush();
        } finally {
            if (watcher != null) {
                watcher.interrupt();
                watcher.join(10_000);
            }
        }
        assertThat(fullAt).as("the disk was filled").isPositive();
        assertThat(ackedAtMove)
                .as("the leadership moved off node %d", FULL_NODE)
                .isPositive();
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ackedAtMove + 1000);
        return timeline(fullAt, movedAt.get(), ackNanos);
    }

    /** Polls the partition's leader from another thread; records when it is first not node 2. */
    private static Thread watchLeader(AtomicLong movedAt) {
        Thread watcher = new Thread(
                () -> {
                    try {
                        Conditions.awaitTrue(Duration.ofSeconds(180), () -> {
                            var leader = describe().partitions().get(0).leader();
                            return leader != null && leader.id() != FULL_NODE;
                        });
                        movedAt.compareAndSet(0, System.nanoTime());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "leader-watcher");
        watcher.start();
        return watcher;
    }

    private static Timeline timeline(long fullAt, long movedAt, List<Long> ackNanos) {
        long firstAfterMove =
                ackNanos.stream().filter(t -> t >= movedAt).findFirst().orElse(movedAt);
        long longestGap = 0;
        long previous = fullAt;
        for (long t : ackNanos) {
            if (t >= fullAt) {
                longestGap = Math.max(longestGap, t - previous);
                previous = t;
            }
        }
        return new Timeline(
                TimeUnit.NANOSECONDS.toMillis(movedAt - fullAt),
                TimeUnit.NANOSECONDS.toMillis(firstAfterMove - fullAt),
                TimeUnit.NANOSECONDS.toMillis(longestGap));
    }

    private static Path segment(int node) {
        return cluster.dataDir(node).resolve(TOPIC + "-0").resolve("00000000000000000000.log");
    }

    private static TopicDescription describe() throws Exception {
        return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
    }

    /** Every record of the partition from its start to its end offset. */
    private static List<ConsumerRecord<String, String>> readAll() {
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(TP));
            consumer.seekToBeginning(List.of(TP));
            long end = consumer.endOffsets(List.of(TP), Duration.ofSeconds(60)).get(TP);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (consumer.position(TP) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.position(TP)).as("position in %s", TP).isEqualTo(end);
            return records;
        }
    }
}
