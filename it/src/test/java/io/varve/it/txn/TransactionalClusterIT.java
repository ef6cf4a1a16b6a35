package io.varve.it.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.ScriptCluster;
import io.varve.it.support.ScriptClusterTest;
import io.varve.metadata.CoordinatorPlacement;
import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactions on a three-node cluster of separate processes ({@code bin/varve cluster start}, real
 * PostgreSQL), with kafka-clients' transactional producer and {@code read_committed} consumers. Each
 * topic has three partitions whose leaders are nodes 1, 2 and 3, so every transaction's markers go
 * to leaders on other nodes than its coordinator's:
 *
 * <ol>
 *   <li>commit, abort, commit: a {@code read_committed} consumer reads exactly the committed records
 *       at their offsets, {@code read_uncommitted} every record; the coordinator is the node
 *       FindCoordinator names for the id; replicas hold the same batches and the same {@code .txnindex};
 *   <li>{@code kill -9} of the node that coordinates two transactions and leads one of their
 *       partitions, while both are open: the one whose producer carries on commits (its records are
 *       written to the new leader after the failover, its markers reach it), the abandoned one is
 *       aborted by the coordinator that took over when its timeout passes; the committed records are
 *       read exactly once, in order, the aborted ones never; the killed node comes back and its
 *       replicas, abort index included, equal the others.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionalClusterIT extends ScriptClusterTest {
    private static final Logger log = LoggerFactory.getLogger(TransactionalClusterIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    /** Pekko's default number-of-shards: FindCoordinator's placement hashes ids into it. */
    private static final int SHARDS = 1000;

    private static final String EXTRA_CONFIG =
            """
            varve.group.initial-rebalance-delay = 0s
            varve.txn.deadline-retry-interval = 2s
            """;

    @BeforeAll
    static void start() throws Exception {
        startCluster(TransactionalClusterIT.class, EXTRA_CONFIG);
    }

    @Test
    @Order(1)
    void committedRecordsOnThreeLeadersAreReadExactlyUnderReadCommitted() throws Exception {
        String topic = "spread";
        createSpreadTopic(topic);
        String id = "tx-spread";
        try (KafkaProducer<String, String> producer = transactional(id, 60_000)) {
            producer.initTransactions();
            send(producer, topic, "c1", 10, true);
            send(producer, topic, "ab", 5, false);
            send(producer, topic, "c3", 10, true);
        }
        // commitTransaction returns once the commit is decided (PrepareCommit); the markers complete it
        Conditions.require(
                Duration.ofSeconds(30),
                id + " completes its commit",
                () -> describeTransaction(admin, id).state() == TransactionState.COMPLETE_COMMIT);
        TransactionDescription description = describeTransaction(admin, id);
        assertThat(description.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
        assertThat(description.coordinatorId()).isEqualTo(placement(id, List.of(1, 2, 3)));

        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            // c1 at 0-9, its commit marker at 10; ab at 11-15, abort at 16; c3 at 17-26, commit at 27
            List<String> committed = read(tp, true);
            assertThat(committed).isEqualTo(concat(values("c1", p, 10, 0), values("c3", p, 10, 17)));
            assertThat(read(tp, false))
                    .isEqualTo(concat(concat(values("c1", p, 10, 0), values("ab", p, 5, 11)), values("c3", p, 10, 17)));
            String dir = topic + "-" + p;
            assertThat(Conditions.awaitTrue(DEADLINE, () -> replicasIdentical(dir)))
                    .as("the replicas of %s: same batches (markers included) and the same .txnindex", dir)
                    .isTrue();
            assertThat(txnIndexes(1, dir)).as("the abort is indexed").isNotEmpty();
        }
    }

    @Test
    @Order(2)
    void transactionsSurviveTheKillOfTheirCoordinatorsNodeAndOfALeader() throws Exception {
        String topic = "failover-txn";
        createSpreadTopic(topic);
        int victim = 2;
        String carriedOn = idCoordinatedBy("tx-carried-on-", victim);
        String abandoned = idCoordinatedBy("tx-abandoned-", victim);
        KafkaProducer<String, String> abandonedProducer = transactional(abandoned, 30_000);
        // closed without a grace period (no abort on close) once its transaction is over
        try (KafkaProducer<String, String> producer = transactional(carriedOn, 180_000)) {
            abandonedProducer.initTransactions();
            abandonedProducer.beginTransaction();
            for (int p = 0; p < 3; p++) {
                for (int i = 0; i < 5; i++) {
                    abandonedProducer.send(new ProducerRecord<>(topic, p, "k", "a-" + p + "-" + i));
                }
            }
            abandonedProducer.flush();
            producer.initTransactions();
            producer.beginTransaction();
            sendValues(producer, topic, "b", 0, 10);
            producer.flush();
            assertThat(describeTransaction(admin, carriedOn).coordinatorId()).isEqualTo(victim);
            assertThat(describeTransaction(admin, abandoned).coordinatorId()).isEqualTo(victim);
            assertThat(describeTransaction(admin, abandoned).state()).isEqualTo(TransactionState.ONGOING);

            cluster.kill(victim);
            log.info("killed node {}: coordinator of {} and {}, leader of {}-1", victim, carriedOn, abandoned, topic);
            sendValues(producer, topic, "b", 10, 20);
            producer.commitTransaction();
            long committedAt = System.nanoTime();
            log.info("{} committed after the failover", carriedOn);
            try (Admin survivors = survivorsAdmin(victim)) {
                // the abandoned producer stays open and silent: only its timeout may end its transaction
                assertThat(Conditions.awaitTrue(
                                DEADLINE,
                                () -> describeTransaction(survivors, abandoned).state()
                                        == TransactionState.COMPLETE_ABORT))
                        .as("the coordinator that took %s over aborted it at its timeout", abandoned)
                        .isTrue();
                // the commit was decided (PrepareCommit) when commitTransaction returned; its markers,
                // one to the partition whose leader died, complete it
                assertThat(Conditions.awaitTrue(
                                DEADLINE,
                                () -> describeTransaction(survivors, carriedOn).state()
                                        == TransactionState.COMPLETE_COMMIT))
                        .as("the markers of %s were written and its commit completed", carriedOn)
                        .isTrue();
                log.info(
                        "{} reached CompleteCommit within {} ms of commitTransaction's return",
                        carriedOn,
                        Duration.ofNanos(System.nanoTime() - committedAt).toMillis());
                TransactionDescription committed = describeTransaction(survivors, carriedOn);
                assertThat(committed.state()).isEqualTo(TransactionState.COMPLETE_COMMIT);
                assertThat(committed.coordinatorId()).isEqualTo(placement(carriedOn, List.of(1, 3)));
            }
        } finally {
            abandonedProducer.close(Duration.ZERO);
        }
        for (int p = 0; p < 3; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            // the abandoned transaction's records at 0-4, the carried-on one's at 5-24, then two markers
            assertThat(read(tp, true)).isEqualTo(values("b", p, 20, 5));
            assertThat(read(tp, false)).isEqualTo(concat(values("a", p, 5, 0), values("b", p, 20, 5)));
        }

        cluster.startMissing();
        for (int p = 0; p < 3; p++) {
            String dir = topic + "-" + p;
            assertThat(Conditions.awaitTrue(DEADLINE, () -> replicasIdentical(dir)))
                    .as("node %d came back with the same %s, markers and abort index included", victim, dir)
                    .isTrue();
            assertThat(txnIndexes(victim, dir))
                    .as("the abort of %s is indexed", abandoned)
                    .isNotEmpty();
        }
    }

    // ---- helpers ----

    /** Three partitions, replication factor 3, led by nodes 1, 2 and 3 (first replica leads). */
    private static void createSpreadTopic(String topic) throws Exception {
        Map<Integer, List<Integer>> assignment = Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1), 2, List.of(3, 1, 2));
        admin.createTopics(List.of(new NewTopic(topic, assignment).configs(Map.of("min.insync.replicas", "2"))))
                .all()
                .get();
        var partitions = admin.describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions();
        for (int p = 0; p < 3; p++) {
            assertThat(partitions.get(p).leader().id())
                    .as("leader of %s-%d", topic, p)
                    .isEqualTo(p + 1);
        }
    }

    private static KafkaProducer<String, String> transactional(String id, int timeoutMs) {
        return cluster.producer(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, timeoutMs,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
    }

    /** One transaction of {@code count} records to each partition, committed or aborted. */
    private static void send(
            KafkaProducer<String, String> producer, String topic, String prefix, int count, boolean commit) {
        producer.beginTransaction();
        sendValues(producer, topic, prefix, 0, count);
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush();
            producer.abortTransaction();
        }
    }

    private static void sendValues(
            KafkaProducer<String, String> producer, String topic, String prefix, int from, int to) {
        for (int p = 0; p < 3; p++) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, p, "k", prefix + "-" + p + "-" + i));
            }
        }
    }

    /** {@code count} values of one prefix and partition, each as "offset:value". */
    private static List<String> values(String prefix, int partition, int count, long firstOffset) {
        return IntStream.range(0, count)
                .mapToObj(i -> (firstOffset + i) + ":" + prefix + "-" + partition + "-" + i)
                .toList();
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return Stream.concat(first.stream(), second.stream()).toList();
    }

    /** Every record of a partition up to its end offset for the isolation level, as "offset:value". */
    private static List<String> read(TopicPartition tp, boolean readCommitted) {
        try (KafkaConsumer<String, String> consumer = cluster.consumer(
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted"))) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(DEADLINE);
            while (consumer.position(tp) < end && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.position(tp)).as("position in %s", tp).isEqualTo(end);
            return records.stream().map(r -> r.offset() + ":" + r.value()).toList();
        }
    }

    private static TransactionDescription describeTransaction(Admin client, String id) throws Exception {
        return client.describeTransactions(List.of(id)).description(id).get();
    }

    private static Admin survivorsAdmin(int victim) {
        String others = Stream.of(1, 2, 3)
                .filter(n -> n != victim)
                .map(n -> "127.0.0.1:" + cluster.kafkaPort(n))
                .reduce((a, b) -> a + "," + b)
                .orElseThrow();
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                others,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000));
    }

    /** The node FindCoordinator names for {@code id} with {@code live} brokers (docs/cluster.md). */
    private static int placement(String id, List<Integer> live) {
        int shard = CoordinatorPlacement.shardOf(id, SHARDS);
        return live.get(Math.floorMod(shard, live.size()));
    }

    private static String idCoordinatedBy(String prefix, int node) {
        return IntStream.range(0, 1000)
                .mapToObj(i -> prefix + i)
                .filter(id -> placement(id, List.of(1, 2, 3)) == node)
                .findFirst()
                .orElseThrow();
    }

    /** The batches (kafka-dump-log) and the {@code .txnindex} bytes of a partition are equal on every node. */
    private static boolean replicasIdentical(String dir) throws Exception {
        List<String> first = batchLines(1, dir);
        Map<String, byte[]> firstIndexes = txnIndexes(1, dir);
        for (int n = 2; n <= ScriptCluster.NODES; n++) {
            if (!batchLines(n, dir).equals(first) || !sameBytes(txnIndexes(n, dir), firstIndexes)) {
                return false;
            }
        }
        return !first.isEmpty();
    }

    private static boolean sameBytes(Map<String, byte[]> a, Map<String, byte[]> b) {
        return a.keySet().equals(b.keySet())
                && a.keySet().stream().allMatch(name -> java.util.Arrays.equals(a.get(name), b.get(name)));
    }

    private static List<String> batchLines(int node, String dir) throws Exception {
        List<String> files = files(node, dir, ".log").stream()
                .map(name -> cluster.dataDir(node).resolve(dir).resolve(name).toString())
                .toList();
        ChildJvm.Result dump = KafkaTools.run(KafkaTools.DUMP_LOG, "--files", String.join(",", files));
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdout()).doesNotContain("isvalid: false");
        return dump.stdout()
                .lines()
                .filter(line -> line.startsWith("baseOffset:"))
                .toList();
    }

    /** The non-empty {@code .txnindex} files of a partition on {@code node}, by name. */
    private static Map<String, byte[]> txnIndexes(int node, String dir) throws IOException {
        Map<String, byte[]> indexes = new HashMap<>();
        for (String name : files(node, dir, ".txnindex")) {
            byte[] bytes = Files.readAllBytes(cluster.dataDir(node).resolve(dir).resolve(name));
            if (bytes.length > 0) {
                indexes.put(name, bytes);
            }
        }
        return indexes;
    }

    private static List<String> files(int node, String dir, String suffix) throws IOException {
        Path partition = cluster.dataDir(node).resolve(dir);
        if (!Files.isDirectory(partition)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(partition)) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }
}
