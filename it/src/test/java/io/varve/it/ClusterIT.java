package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import io.varve.it.support.ChildJvm;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.LineProcess;
import io.varve.it.support.ScriptCluster;
import io.varve.it.support.ScriptClusterTest;
import io.varve.it.support.TailingConsumer;
import io.varve.storage.testing.Conditions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A three-node cluster as separate OS processes, started by {@code bin/varve cluster start} on a real
 * PostgreSQL, driven by real kafka-clients; one cluster for every test, in order:
 *
 * <ol>
 *   <li>RF 3 topics replicate, and Kafka's {@code kafka-dump-log} shows the same batches on every
 *       replica;
 *   <li>{@code kill -9} of a partition leader during idempotent {@code acks=all} produce (RF 3,
 *       min.insync 2) by kafka-clients and by confluent-kafka-python (librdkafka) while a consumer
 *       reads on: every acknowledged record is there exactly once at its offset, in order, and the
 *       consumer saw exactly the log; the killed node comes back, truncates where needed and rejoins
 *       the ISR with identical segments;
 *   <li>a paused ({@code kill -STOP}) leader, fenced and replaced, acknowledges none of the writes it
 *       received once it runs again; downed meanwhile, it starts again in its own process and rejoins
 *       the ISR;
 *   <li>a consumer group keeps consuming, with its committed offsets, after its coordinator's node is
 *       killed;
 *   <li>nodes that would form a second cluster (no seed nodes) or reuse a live node id refuse to
 *       start;
 *   <li>{@code kill -9} of the controller's node, which also leads a partition, and then of the whole
 *       cluster: topics, offsets, groups and high watermarks are as before;
 *   <li>after a full stop, nodes 2 and 3 alone form the cluster again without node 1, the first seed
 *       (as any two of Kafka's three KRaft voters do), and node 1 then joins them instead of starting
 *       a cluster of its own;
 *   <li>{@code kill -9} of a partition leader while kafka-python and kafkajs produce {@code acks=all}:
 *       both carry on, every acknowledged record is at its offset, in order.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT extends ScriptClusterTest {
    private static final Logger log = LoggerFactory.getLogger(ClusterIT.class);
    private static final Duration DEADLINE = Duration.ofSeconds(120);
    private static final String EXTRA_CONFIG =
            """
            varve.group.initial-rebalance-delay = 0s
            varve.log.segment-bytes = 1048576
            """;

    @BeforeAll
    static void start() throws Exception {
        startCluster(ClusterIT.class, EXTRA_CONFIG);
    }

    @Test
    @Order(1)
    void replicasAreByteIdenticalUnderKafkaDumpLog() throws Exception {
        admin.createTopics(List.of(new NewTopic("replicated", 3, (short) 3)))
                .all()
                .get();
        List<RecordMetadata> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<java.util.concurrent.Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                sends.add(producer.send(
                        new ProducerRecord<>("replicated", i % 3, "k" + i, "value-" + i + "-" + "x".repeat(1100))));
            }
            for (var send : sends) {
                acked.add(send.get());
            }
        }
        assertThat(acked).hasSize(3000);
        for (int p = 0; p < 3; p++) {
            int partition = p;
            assertThat(Conditions.awaitTrue(DEADLINE, () -> replicasIdentical("replicated-" + partition)))
                    .as("the three replicas of replicated-%d under kafka-dump-log", p)
                    .isTrue();
            assertThat(batchLines(1, "replicated-" + p)).isNotEmpty();
            // segments roll at 1 MiB: more than one segment, the same on every replica
            assertThat(segments(1, "replicated-" + p)).hasSizeGreaterThan(1);
        }
    }

    @Test
    @Order(2)
    void aLeaderKilledDuringIdempotentAcksAllProduceLosesNothingAcknowledged() throws Exception {
        admin.createTopics(List.of(new NewTopic("failover", 1, (short) 3)))
                .all()
                .get();
        TopicPartition tp = new TopicPartition("failover", 0);
        int leader = describe("failover").partitions().get(0).leader().id();
        // librdkafka's producer on a partition with the same leader: one kill fails both over
        createLedBy("failover-py", leader);
        TopicPartition pyTp = new TopicPartition("failover-py", 0);
        assertThat(describe("failover-py").partitions().get(0).leader().id()).isEqualTo(leader);

        Map<Integer, Long> acknowledged = new ConcurrentHashMap<>();
        try (TailingConsumer tail = new TailingConsumer(cluster.consumer(Map.of()), List.of(tp, pyTp));
                LineProcess python =
                        failoverProducer("/usr/bin/python3", "python/failover_producer.py", "failover-py")) {
            assertThat(Conditions.awaitTrue(DEADLINE, () -> python.count(l -> l.startsWith("acked ")) >= 1000))
                    .as("confluent-kafka-python acknowledged 1000 records: %s", python.describe())
                    .isTrue();
            long pythonAckedAtKill =
                    produceKillingTheLeader(tp, leader, acknowledged, () -> python.count(l -> l.startsWith("acked ")));
            assertThat(Conditions.awaitTrue(
                            DEADLINE, () -> python.count(l -> l.startsWith("acked ")) >= pythonAckedAtKill + 1000))
                    .as("confluent-kafka-python carried on after the failover: %s", python.describe())
                    .isTrue();
            python.send("stop");
            assertThat(python.await(240)).as(python.describe()).isZero();
            assertThat(python.lines()).last().asString().isEqualTo("done 0");

            List<ConsumerRecord<String, String>> javaLog = readAll(tp);
            assertExactlyOnceInOrder(javaLog, "v", acknowledged);
            List<ConsumerRecord<String, String>> pyLog = readAll(pyTp);
            assertExactlyOnceInOrder(pyLog, "p", acknowledgedIn(python.lines()));

            // the consumer that read on through the failover saw exactly the log, nothing else
            for (var partition : Map.of(tp, javaLog, pyTp, pyLog).entrySet()) {
                long end = partition
                                .getValue()
                                .get(partition.getValue().size() - 1)
                                .offset()
                        + 1;
                assertThat(Conditions.awaitTrue(DEADLINE, () -> tail.position(partition.getKey()) == end))
                        .as("the tailing consumer reached %d in %s (%s)", end, partition.getKey(), tail.failure())
                        .isTrue();
                assertThat(valuesAndOffsets(tail.seen(partition.getKey())))
                        .isEqualTo(valuesAndOffsets(partition.getValue()));
            }
            assertThat(tail.failure()).isNull();
        }

        startAgainIntoTheIsrs(leader, List.of(tp, pyTp));
        for (TopicPartition partition : List.of(tp, pyTp)) {
            assertThat(Conditions.awaitTrue(DEADLINE, () -> replicasIdentical(partition.topic() + "-0")))
                    .as("the returned node truncated %s and caught up byte for byte", partition)
                    .isTrue();
        }
    }

    /**
     * A paused leader ({@code kill -STOP}, as a long GC pause or a frozen VM) is fenced and replaced;
     * the {@code acks=all} writes that reached it while it was paused are never acknowledged once it
     * runs again, and the log holds only what the new leader accepted. Downed by the others meanwhile,
     * it stops serving when it runs again and, in the same process ({@code rejoin-after-down}), starts
     * again, rejoins the cluster and the ISR with the new leader's log, without anyone restarting it.
     */
    @Test
    @Order(3)
    void aPausedLeaderAcknowledgesNothingOnceFenced() throws Exception {
        admin.createTopics(List.of(new NewTopic("paused", 1, (short) 3))).all().get();
        TopicPartition tp = new TopicPartition("paused", 0);
        int leader = describe("paused").partitions().get(0).leader().id();
        String others = Stream.of(1, 2, 3)
                .filter(n -> n != leader)
                .map(n -> "127.0.0.1:" + cluster.kafkaPort(n))
                .collect(Collectors.joining(","));
        List<java.util.concurrent.Future<RecordMetadata>> stale = new ArrayList<>();
        try (KafkaProducer<String, String> staleProducer = cluster.producer(Map.of(
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                        ProducerConfig.RETRIES_CONFIG, 0,
                        ProducerConfig.METADATA_MAX_AGE_CONFIG, 600_000,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 120_000,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 150_000));
                Admin survivors = Admin.create(
                        Map.of(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, others))) {
            assertThat(staleProducer
                            .send(new ProducerRecord<>("paused", 0, "k", "before"))
                            .get()
                            .offset())
                    .isZero();
            long downedBefore = downMarks(leader);
            long pid = cluster.pid(leader);
            int logBefore = cluster.log(leader).length();
            cluster.pause(leader);
            log.info("paused node {}, the leader of {}", leader, tp);
            try {
                for (int i = 0; i < 20; i++) {
                    stale.add(staleProducer.send(new ProducerRecord<>("paused", 0, "k", "stale-" + i)));
                }
                assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                            var now = survivors
                                    .describeTopics(List.of("paused"))
                                    .allTopicNames()
                                    .get()
                                    .get("paused")
                                    .partitions()
                                    .get(0)
                                    .leader();
                            return now != null && now.id() != leader;
                        }))
                        .as("a new leader of %s while node %d is paused", tp, leader)
                        .isTrue();
                Map<String, Object> fresh = new HashMap<>(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
                fresh.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, others);
                try (KafkaProducer<String, String> producer = cluster.producer(fresh)) {
                    for (int i = 0; i < 100; i++) {
                        producer.send(new ProducerRecord<>("paused", 0, "k", "fresh-" + i))
                                .get();
                    }
                }
                // paused until the majority has downed it too, so that it must stop serving once it runs again
                assertThat(Conditions.awaitTrue(DEADLINE, () -> downMarks(leader) > downedBefore))
                        .as("the other nodes downed node %d", leader)
                        .isTrue();
            } finally {
                cluster.resume(leader);
                log.info("resumed node {}", leader);
            }
            for (var send : stale) {
                assertThat(send)
                        .as("a write the paused leader received is never acknowledged")
                        .failsWithin(Duration.ofSeconds(180))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class);
            }
            assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                        String since = cluster.log(leader).substring(logBefore);
                        int rejoining = since.indexOf("starting it again in this JVM to rejoin");
                        return rejoining >= 0 && since.indexOf("ready: Kafka listener", rejoining) >= 0;
                    }))
                    .as("the downed node %d started again in its JVM and serves", leader)
                    .isTrue();
            assertThat(cluster.pid(leader)).as("the same process").isEqualTo(pid);
        }
        List<String> values = readAll(tp).stream().map(ConsumerRecord::value).toList();
        assertThat(values).hasSize(101).first().isEqualTo("before");
        assertThat(values.subList(1, 101))
                .isEqualTo(Stream.iterate(0, i -> i + 1)
                        .limit(100)
                        .map(i -> "fresh-" + i)
                        .toList());
        assertThat(Conditions.awaitTrue(DEADLINE, () -> describe("paused").partitions().get(0).isr().stream()
                        .anyMatch(node -> node.id() == leader)))
                .as("node %d back in the ISR of %s", leader, tp)
                .isTrue();
        assertThat(Conditions.awaitTrue(DEADLINE, () -> replicasIdentical("paused-0")))
                .as("the old leader truncated what it took while paused")
                .isTrue();
    }

    @Test
    @Order(4)
    void aConsumerGroupCarriesOnWithItsOffsetsWhenItsCoordinatorsNodeDies() throws Exception {
        admin.createTopics(List.of(new NewTopic("grouped", 3, (short) 3))).all().get();
        Set<String> produced = new HashSet<>();
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            List<java.util.concurrent.Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < 600; i++) {
                sends.add(producer.send(new ProducerRecord<>("grouped", "k" + i, "g" + i)));
                produced.add("g" + i);
            }
            for (var send : sends) {
                send.get();
            }
        }
        Set<String> consumed = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = cluster.consumer(
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "survivor", ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50))) {
            consumer.subscribe(List.of("grouped"));
            pollAndCommit(consumer, consumed, 300);
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of("survivor"))
                    .all()
                    .get()
                    .get("survivor");
            int coordinator = group.coordinator().id();
            Map<TopicPartition, OffsetAndMetadata> committedBefore = committed("survivor");
            cluster.kill(coordinator);
            log.info(
                    "killed node {}, the coordinator of group survivor, after {} records",
                    coordinator,
                    consumed.size());

            pollAndCommit(consumer, consumed, 600);

            assertThat(consumed).isEqualTo(produced);
            Map<TopicPartition, OffsetAndMetadata> committedAfter = committed("survivor");
            committedBefore.forEach((tp, offset) ->
                    assertThat(committedAfter.get(tp).offset()).isGreaterThanOrEqualTo(offset.offset()));
            Map<TopicPartition, Long> ends = latestOffsets(List.of("grouped"));
            ends.forEach((tp, end) -> assertThat(committedAfter.get(tp).offset())
                    .as("committed %s", tp)
                    .isEqualTo(end));
            assertThat(admin.describeConsumerGroups(List.of("survivor"))
                            .all()
                            .get()
                            .get("survivor")
                            .coordinator()
                            .id())
                    .isNotEqualTo(coordinator);
        }
        cluster.startMissing();
    }

    @Test
    @Order(5)
    void misconfiguredNodesRefuseToStart() throws Exception {
        ChildJvm.Result noSeeds = startExtraNode("no-seeds", 4, "");
        assertThat(noSeeds.exitCode()).as(noSeeds.toString()).isEqualTo(1);
        assertThat(noSeeds.stdout()).contains("no seed nodes").contains("refusing to start a second cluster");

        ChildJvm.Result duplicate = startExtraNode("duplicate", 2, cluster.seedNodes());
        assertThat(duplicate.exitCode()).as(duplicate.toString()).isEqualTo(1);
        assertThat(duplicate.stdout()).contains("node id 2 is in use by the live member");
        // the real node 2 still serves
        assertThat(describe("replicated").partitions()).hasSize(3);
    }

    @Test
    @Order(6)
    void theControllersNodeAndThenTheWholeClusterComeBackWithEverything() throws Exception {
        int controller = admin.describeCluster().controller().get().id();
        List<Integer> others = new ArrayList<>(List.of(1, 2, 3));
        others.remove(Integer.valueOf(controller));
        admin.createTopics(List.of(new NewTopic(
                        "led-by-controller", Map.of(0, List.of(controller, others.get(0), others.get(1))))))
                .all()
                .get();
        produce("led-by-controller", "before", 500);
        cluster.kill(controller);
        log.info("killed node {}, the controller's node and leader of led-by-controller-0", controller);
        produce("led-by-controller", "after", 500);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                    int now = admin.describeCluster().controller().get().id();
                    TopicPartitionInfo partition =
                            describe("led-by-controller").partitions().get(0);
                    return now != controller
                            && partition.leader() != null
                            && partition.leader().id() != controller;
                }))
                .as("a live controller and leader are shown")
                .isTrue();
        cluster.startMissing();

        Map<String, Uuid> ids = topicIds();
        List<String> topics = List.copyOf(ids.keySet());
        Map<TopicPartition, Long> ends = latestOffsets(topics);
        Map<TopicPartition, OffsetAndMetadata> groupOffsets = committed("survivor");
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            cluster.kill(n);
        }
        cluster.startMissing();

        assertThat(topicIds()).isEqualTo(ids);
        assertThat(Conditions.awaitTrue(DEADLINE, () -> latestOffsets(topics).equals(ends)))
                .as("every partition's high watermark (ListOffsets latest) as before the restart: %s", ends)
                .isTrue();
        assertThat(committed("survivor")).isEqualTo(groupOffsets);
        assertThat(readAll(new TopicPartition("led-by-controller", 0)))
                .hasSize(1000)
                .extracting(ConsumerRecord::value)
                .startsWith("before-0")
                .endsWith("after-499");
    }

    @Test
    @Order(7)
    void anyTwoSeedsFormTheClusterAgainWithoutTheFirstSeed() throws Exception {
        // chaos campaign F3: only the first seed could start a cluster, so with node 1 gone the others
        // waited for it forever. A partition led by node 2: killed together, the brokers are fenced
        // at once and each partition keeps its last leader as its only in-sync replica (as KRaft)
        admin.createTopics(List.of(new NewTopic("two-seeds", Map.of(0, List.of(2, 3, 1)))))
                .all()
                .get();
        TopicPartition tp = new TopicPartition("two-seeds", 0);
        produce(tp.topic(), "before", 100);
        for (int n = 1; n <= ScriptCluster.NODES; n++) {
            cluster.kill(n);
        }
        cluster.start(2, 3);

        assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                    Set<Integer> nodes = admin.describeCluster().nodes().get().stream()
                            .map(org.apache.kafka.common.Node::id)
                            .collect(Collectors.toSet());
                    int controller = admin.describeCluster().controller().get().id();
                    TopicPartitionInfo partition =
                            describe(tp.topic()).partitions().get(0);
                    log.info(
                            "nodes {}, controller {}, {}: leader {}, ISR {}",
                            nodes,
                            controller,
                            tp,
                            partition.leader(),
                            partition.isr());
                    return nodes.equals(Set.of(2, 3))
                            && Set.of(2, 3).contains(controller)
                            && partition.leader() != null
                            && partition.leader().id() == 2;
                }))
                .as(
                        "nodes 2 and 3 serve as a cluster of their own, with a controller among them, and node 2 leads %s",
                        tp)
                .isTrue();
        produce(tp.topic(), "after", 100);
        assertThat(readAll(tp))
                .hasSize(200)
                .extracting(ConsumerRecord::value)
                .startsWith("before-0")
                .endsWith("after-99");

        int logBefore = cluster.log(1).length();
        cluster.start(1);
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> admin.describeCluster().nodes().get().size() == 3))
                .as("node 1 joins the cluster the other two formed")
                .isTrue();
        assertThat(cluster.log(1).substring(logBefore))
                .as("node 1 found the lease held and joined the running cluster")
                .contains("joining seeds");
    }

    /**
     * The other two client families through a leader's {@code kill -9}: kafka-python (acks=all, one
     * request in flight; 2.0 has no idempotent producer, so a retry may write a record twice) and
     * kafkajs (idempotent, acks=all), each on its own partition led by the node that is killed. Both
     * carry on once the partitions have new leaders; every record either client was told was written
     * is at the offset it was told, in the order sent, and kafkajs's log holds each record once.
     */
    @Test
    @Order(8)
    void kafkaPythonAndKafkaJsProducersCarryOnThroughALeaderKill() throws Exception {
        admin.createTopics(List.of(new NewTopic("failover-kp", 1, (short) 3)))
                .all()
                .get();
        int leader = describe("failover-kp").partitions().get(0).leader().id();
        createLedBy("failover-js", leader);
        TopicPartition kpTp = new TopicPartition("failover-kp", 0);
        TopicPartition jsTp = new TopicPartition("failover-js", 0);
        try (LineProcess kafkaPython =
                        failoverProducer("/usr/bin/python3", "python/failover_producer_kafka_python.py", kpTp.topic());
                LineProcess kafkaJs = failoverProducer("node", "node/failover_producer.js", jsTp.topic())) {
            Map<String, LineProcess> clients = Map.of("kafka-python", kafkaPython, "kafkajs", kafkaJs);
            for (var client : clients.entrySet()) {
                assertThat(Conditions.awaitTrue(DEADLINE, () -> acked(client.getValue()) >= 200))
                        .as(
                                "%s acknowledged 200 records: %s",
                                client.getKey(), client.getValue().describe())
                        .isTrue();
            }
            cluster.kill(leader);
            Map<String, Long> atKill = Map.of("kafka-python", acked(kafkaPython), "kafkajs", acked(kafkaJs));
            log.info("killed leader {} of {} and {} at {}", leader, kpTp, jsTp, atKill);
            for (var client : clients.entrySet()) {
                assertThat(Conditions.awaitTrue(
                                DEADLINE, () -> acked(client.getValue()) >= atKill.get(client.getKey()) + 200))
                        .as(
                                "%s carried on after the failover: %s",
                                client.getKey(), client.getValue().describe())
                        .isTrue();
                client.getValue().send("stop");
            }
            for (var client : clients.entrySet()) {
                assertThat(client.getValue().await(240))
                        .as(client.getValue().describe())
                        .isZero();
                assertThat(client.getValue().lines()).last().asString().isEqualTo("done 0");
            }
            assertAcknowledgedInOrder(readAll(kpTp), "q", acknowledgedIn(kafkaPython.lines()));
            assertExactlyOnceInOrder(readAll(jsTp), "j", acknowledgedIn(kafkaJs.lines()));
        }
        startAgainIntoTheIsrs(leader, List.of(kpTp, jsTp));
    }

    /** Starts the killed {@code node} again and waits until it is back in the ISR of each partition. */
    private static void startAgainIntoTheIsrs(int node, List<TopicPartition> partitions) throws Exception {
        cluster.startMissing();
        for (TopicPartition partition : partitions) {
            assertThat(Conditions.awaitTrue(
                            DEADLINE, () -> describe(partition.topic()).partitions().get(0).isr().stream()
                                    .anyMatch(replica -> replica.id() == node)))
                    .as("node %d back in the ISR of %s", node, partition)
                    .isTrue();
        }
    }

    /** Creates {@code topic}, one partition whose replicas are {@code leader} (so it leads) and the other two. */
    private static void createLedBy(String topic, int leader) throws Exception {
        List<Integer> replicas = new ArrayList<>(List.of(leader));
        Stream.of(1, 2, 3).filter(n -> n != leader).forEach(replicas::add);
        admin.createTopics(List.of(new NewTopic(topic, Map.of(0, replicas))))
                .all()
                .get();
    }

    /** A failover producer under it/clients ({@code interpreter script BOOTSTRAP TOPIC MAX}) on partition 0 of {@code topic}. */
    private static LineProcess failoverProducer(String interpreter, String script, String topic) throws IOException {
        return LineProcess.start(
                cluster.dir().resolve(topic + ".stderr"),
                List.of(
                        interpreter,
                        BuildFiles.repositoryRoot()
                                .resolve("it/clients")
                                .resolve(script)
                                .toString(),
                        cluster.bootstrapServers(),
                        topic,
                        "1000000"));
    }

    private static long acked(LineProcess client) {
        return client.count(line -> line.startsWith("acked "));
    }

    // ---- helpers ----

    /**
     * Idempotent acks=all produce of v0, v1, ... to {@code tp}, {@code kill -9} of its leader after
     * 1500 acknowledgements, on until 4000 are acknowledged; fills {@code acknowledged} (index to
     * offset). Returns how many records confluent-kafka-python had acknowledged at the kill.
     */
    private static long produceKillingTheLeader(
            TopicPartition tp, int leader, Map<Integer, Long> acknowledged, java.util.function.LongSupplier pythonAcked)
            throws Exception {
        Semaphore inFlight = new Semaphore(500);
        int sent = 0;
        long pythonAtKill = -1;
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000))) {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(240));
            while (acknowledged.size() < 4000 && Instant.now().isBefore(deadline)) {
                if (pythonAtKill < 0 && acknowledged.size() >= 1500) {
                    cluster.kill(leader);
                    pythonAtKill = pythonAcked.getAsLong();
                    log.info("killed leader {} of {} after {} acknowledged records", leader, tp, acknowledged.size());
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                int i = sent++;
                producer.send(new ProducerRecord<>(tp.topic(), 0, "k" + i, "v" + i), (metadata, error) -> {
                    inFlight.release();
                    if (error == null) {
                        acknowledged.put(i, metadata.offset());
                    }
                });
            }
            producer.flush();
        }
        assertThat(pythonAtKill).as("the leader was killed").isPositive();
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(4000);
        return pythonAtKill;
    }

    /**
     * Index to offset of every "acked OFFSET xINDEX" line of a failover producer under it/clients
     * ({@code failover_producer.py}, {@code failover_producer_kafka_python.py}, {@code failover_producer.js}).
     */
    private static Map<Integer, Long> acknowledgedIn(List<String> lines) {
        Map<Integer, Long> acked = new HashMap<>();
        for (String line : lines) {
            String[] words = line.split(" ");
            if (words[0].equals("acked")) {
                assertThat(acked.put(Integer.parseInt(words[2].substring(1)), Long.parseLong(words[1])))
                        .as("one delivery report for %s", words[2])
                        .isNull();
            }
        }
        return acked;
    }

    /**
     * Every acknowledged index at the offset its acknowledgement gave, and the values in the order
     * produced once repeats are dropped (a producer without idempotence may write a retried record
     * twice, never out of order with one request in flight).
     */
    private static void assertAcknowledgedInOrder(
            List<ConsumerRecord<String, String>> records, String prefix, Map<Integer, Long> acknowledged) {
        Map<Long, String> valueAt = new HashMap<>();
        records.forEach(record -> valueAt.put(record.offset(), record.value()));
        acknowledged.forEach((i, offset) -> assertThat(valueAt.get(offset))
                .as("acknowledged %s%d at offset %d", prefix, i, offset)
                .isEqualTo(prefix + i));
        assertThat(records.stream()
                        .map(r -> Integer.parseInt(r.value().substring(prefix.length())))
                        .distinct()
                        .toList())
                .as("the values in the order produced")
                .isSorted();
    }

    /**
     * Every value in the log once, in the order produced (PREFIX + index rising), and every
     * acknowledged index at the offset its acknowledgement gave.
     */
    private static void assertExactlyOnceInOrder(
            List<ConsumerRecord<String, String>> records, String prefix, Map<Integer, Long> acknowledged) {
        Map<String, Long> offsetOfValue = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(offsetOfValue.put(record.value(), record.offset()))
                    .as("%s appears once", record.value())
                    .isNull();
        }
        acknowledged.forEach((i, offset) -> assertThat(offsetOfValue.get(prefix + i))
                .as("acknowledged %s%d", prefix, i)
                .isEqualTo(offset));
        assertThat(records.stream()
                        .map(r -> Integer.parseInt(r.value().substring(prefix.length())))
                        .toList())
                .isSorted();
    }

    /** How often the other nodes logged that they marked node {@code n} down (Pekko's own line). */
    private static long downMarks(int n) {
        String line = "Marking unreachable node [pekko://varve@127.0.0.1:" + cluster.clusterPort(n) + "] as [Down]";
        long marks = 0;
        for (int other = 1; other <= ScriptCluster.NODES; other++) {
            if (other != n) {
                marks +=
                        cluster.log(other).lines().filter(l -> l.contains(line)).count();
            }
        }
        return marks;
    }

    private static List<String> valuesAndOffsets(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> r.offset() + ":" + r.value()).toList();
    }

    private static void produce(String topic, String prefix, int count) throws Exception {
        try (KafkaProducer<String, String> producer = cluster.producer(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000))) {
            List<java.util.concurrent.Future<RecordMetadata>> sends = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                sends.add(producer.send(new ProducerRecord<>(topic, 0, "k" + i, prefix + "-" + i)));
            }
            for (var send : sends) {
                send.get();
            }
        }
    }

    private static void pollAndCommit(KafkaConsumer<String, String> consumer, Set<String> consumed, int until)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (consumed.size() < until && Instant.now().isBefore(deadline)) {
            consumer.poll(Duration.ofMillis(200)).forEach(record -> consumed.add(record.value()));
            try {
                consumer.commitSync(Duration.ofSeconds(10));
            } catch (org.apache.kafka.common.KafkaException e) {
                log.info("commit failed, retrying: {}", e.toString());
            }
        }
        // the last positions committed for sure
        assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                    consumer.commitSync(Duration.ofSeconds(10));
                    return true;
                }))
                .isTrue();
        assertThat(consumed).hasSizeGreaterThanOrEqualTo(until);
    }

    private static Map<TopicPartition, OffsetAndMetadata> committed(String group) throws Exception {
        return admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Map<String, Uuid> topicIds() throws Exception {
        Set<String> names = admin.listTopics().names().get();
        return admin.describeTopics(names).allTopicNames().get().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().topicId()));
    }

    private static Map<TopicPartition, Long> latestOffsets(List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (TopicDescription topic :
                admin.describeTopics(topics).allTopicNames().get().values()) {
            topic.partitions()
                    .forEach(p -> specs.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest()));
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(specs).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /** Every record of a partition from its start to its end offset. */
    private static List<ConsumerRecord<String, String>> readAll(TopicPartition tp) {
        try (KafkaConsumer<String, String> consumer = cluster.consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            Instant deadline = Instant.now().plus(DEADLINE);
            while (consumer.position(tp) < end && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            assertThat(consumer.position(tp)).as("position in %s", tp).isEqualTo(end);
            return records;
        }
    }

    /** The batches of a partition's segments on every node, as kafka-dump-log prints them, are equal. */
    private static boolean replicasIdentical(String partitionDir) throws Exception {
        List<String> first = batchLines(1, partitionDir);
        for (int n = 2; n <= ScriptCluster.NODES; n++) {
            if (!batchLines(n, partitionDir).equals(first)) {
                return false;
            }
        }
        return !first.isEmpty()
                && segments(2, partitionDir).equals(segments(1, partitionDir))
                && segments(3, partitionDir).equals(segments(1, partitionDir));
    }

    private static List<String> batchLines(int node, String partitionDir) throws Exception {
        List<String> files = segments(node, partitionDir).stream()
                .map(name -> cluster.dataDir(node)
                        .resolve(partitionDir)
                        .resolve(name)
                        .toString())
                .toList();
        ChildJvm.Result dump = KafkaTools.run(KafkaTools.DUMP_LOG, "--files", String.join(",", files));
        assertThat(dump.exitCode()).as(dump.toString()).isZero();
        assertThat(dump.stdout()).doesNotContain("isvalid: false");
        return dump.stdout()
                .lines()
                .filter(line -> line.startsWith("baseOffset:"))
                .toList();
    }

    private static List<String> segments(int node, String partitionDir) throws IOException {
        try (Stream<Path> files = Files.list(cluster.dataDir(node).resolve(partitionDir))) {
            return files.map(f -> f.getFileName().toString())
                    .filter(name -> name.endsWith(".log"))
                    .sorted()
                    .toList();
        }
    }

    /** A fourth node process on the cluster's database; returns when it exits. */
    private static ChildJvm.Result startExtraNode(String name, int nodeId, String seeds) throws Exception {
        Path dir = cluster.dir().resolve(name);
        Files.createDirectories(dir);
        Path config = dir.resolve("node.conf");
        Files.writeString(
                config,
                """
                include file("%s")
                varve.node-id = %d
                varve.data-dir = "%s"
                varve.transport.port = 0
                varve.cluster.port = 0
                varve.cluster.seed-nodes = "%s"
                varve.journal.url = "%s"
                varve.journal.user = "varve"
                """
                        .formatted(
                                BuildFiles.repositoryRoot().resolve("application.conf"),
                                nodeId,
                                dir.resolve("data"),
                                seeds,
                                cluster.journalUrl()));
        Path output = dir.resolve("node.log");
        ProcessBuilder builder = new ProcessBuilder(
                        "bash",
                        BuildFiles.repositoryRoot().resolve("bin/varve").toString(),
                        "start",
                        "--config",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putAll(cluster.environment());
        Process process = builder.start();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("node " + name + " did not exit:\n" + Files.readString(output));
        }
        return new ChildJvm.Result(process.exitValue(), Files.readString(output), "");
    }
}
