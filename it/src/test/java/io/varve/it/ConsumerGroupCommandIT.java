package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.ChildJvm;
import io.varve.it.support.Clients;
import io.varve.it.support.KafkaTools;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's {@code kafka-consumer-groups} (ConsumerGroupCommand of the 4.3.1 tools, in a child
 * JVM) against a Varve node: {@code --list}, {@code --describe} with lag and
 * {@code --reset-offsets --to-earliest --execute}, with the exact lines it prints.
 */
class ConsumerGroupCommandIT {
    private static final String TOOL = "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand";
    private static final String TOPIC = "tool-orders";

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;
    static KafkaConsumer<String, String> live;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir, Map.of("varve.group.initial-rebalance-delay", "100ms"));
        admin = Clients.admin(cluster);
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(TOPIC, i % 2, "k" + i, "v" + i))
                        .get();
            }
        }
        consumeAndCommit("tool-group-a", 3, 5);
        consumeAndCommit("tool-group-b", 5, 1);
        live = Clients.consumer(
                cluster,
                Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "tool-group-live",
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "live-client"));
        live.subscribe(List.of(TOPIC));
        assertThat(Clients.pollUntil(live, 10, Duration.ofSeconds(60))).hasSize(10);
        live.commitSync(Map.of(new TopicPartition(TOPIC, 0), new OffsetAndMetadata(4)));
    }

    @AfterAll
    static void stop() throws Exception {
        live.close();
        admin.close();
        cluster.close();
    }

    @Test
    void listsEveryGroup() throws Exception {
        ChildJvm.Result run = tool("--list");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().lines().toList())
                .containsExactlyInAnyOrder("tool-group-a", "tool-group-b", "tool-group-live");
    }

    @Test
    void describesTheMemberOwningEachPartitionOfAnActiveGroup() throws Exception {
        String memberId = admin.describeConsumerGroups(List.of("tool-group-live"))
                .all()
                .get()
                .get("tool-group-live")
                .members()
                .iterator()
                .next()
                .consumerId();

        ChildJvm.Result run = tool("--describe", "--group", "tool-group-live");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        // the consumer id is as wide as its generated suffix, so columns are compared, not padding
        assertThat(run.stdout().lines().toList().stream()
                        .map(line -> List.of(line.trim().split("\\s+"))))
                .containsExactly(
                        List.of(""),
                        List.of(
                                "GROUP",
                                "TOPIC",
                                "PARTITION",
                                "CURRENT-OFFSET",
                                "LOG-END-OFFSET",
                                "LAG",
                                "CONSUMER-ID",
                                "HOST",
                                "CLIENT-ID"),
                        List.of("tool-group-live", TOPIC, "0", "4", "5", "1", memberId, "/127.0.0.1", "live-client"),
                        List.of("tool-group-live", TOPIC, "1", "-", "5", "-", memberId, "/127.0.0.1", "live-client"));
    }

    @Test
    void describesOffsetsAndLagOfAGroupWithoutMembers() throws Exception {
        ChildJvm.Result run = tool("--describe", "--group", "tool-group-a");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stderr().lines()).contains("Consumer group 'tool-group-a' has no active members.");
        assertThat(run.stdout().lines().toList())
                .containsExactly(
                        "",
                        "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID",
                        "tool-group-a    tool-orders     0          3               5               2               -               -               -",
                        "tool-group-a    tool-orders     1          5               5               0               -               -               -");
    }

    @Test
    void resetsOffsetsToTheEarliest() throws Exception {
        ChildJvm.Result run =
                tool("--reset-offsets", "--to-earliest", "--execute", "--group", "tool-group-b", "--topic", TOPIC);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.stdout().lines().toList())
                .containsExactly(
                        "",
                        "GROUP           TOPIC           PARTITION  NEW-OFFSET",
                        "tool-group-b    tool-orders     0          0",
                        "tool-group-b    tool-orders     1          0");
        assertThat(admin.listConsumerGroupOffsets("tool-group-b")
                        .partitionsToOffsetAndMetadata()
                        .get())
                .isEqualTo(Map.of(
                        new TopicPartition(TOPIC, 0), new OffsetAndMetadata(0),
                        new TopicPartition(TOPIC, 1), new OffsetAndMetadata(0)));
    }

    private static ChildJvm.Result tool(String... args) throws Exception {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = cluster.bootstrapServers();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTools.run(TOOL, all);
    }

    /** A consumer of {@code group} reads everything and commits the given offsets of partitions 0 and 1. */
    private static void consumeAndCommit(String group, long offset0, long offset1) {
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(cluster, Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(TOPIC));
            assertThat(Clients.pollUntil(consumer, 10, Duration.ofSeconds(60))).hasSize(10);
            consumer.commitSync(Map.of(
                    new TopicPartition(TOPIC, 0), new OffsetAndMetadata(offset0),
                    new TopicPartition(TOPIC, 1), new OffsetAndMetadata(offset1)));
        }
    }
}
