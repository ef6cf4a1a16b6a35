package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.Clients;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Consumer groups with real kafka-clients consumers (subscribe) and Admin. */
class ConsumerGroupIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(dataDir, Map.of("varve.group.initial-rebalance-delay", "200ms"));
        admin = Clients.admin(cluster);
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        cluster.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            classes = {
                RangeAssignor.class,
                RoundRobinAssignor.class,
                StickyAssignor.class,
                CooperativeStickyAssignor.class
            })
    void threeConsumersShareSixPartitionsAndALeaverHandsItsPartitionsOver(Class<?> assignor) throws Exception {
        String topic = "orders-" + assignor.getSimpleName();
        String group = "g-" + assignor.getSimpleName();
        admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> consumer = Clients.consumer(
                        cluster,
                        Map.of(
                                ConsumerConfig.GROUP_ID_CONFIG,
                                group,
                                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                                assignor.getName()));
                consumer.subscribe(List.of(topic));
                consumers.add(consumer);
            }
            pollUntil(consumers, ownsEach(2));
            assertThat(allOwned(consumers)).hasSize(6);

            consumers.remove(0).close();
            pollUntil(consumers, ownsEach(3));
            assertThat(allOwned(consumers)).hasSize(6);
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
    }

    @Test
    void consumersResumeAfterTheLastCommitAcrossABrokerRestart() throws Exception {
        String topic = "restart-orders";
        String group = "restart-group";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        produce(topic, 0, 10);
        Map<String, Object> props = Map.of(ConsumerConfig.GROUP_ID_CONFIG, group);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster, props)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = Clients.pollUntil(consumer, 10, DEADLINE);
            assertThat(read).hasSize(10);
            consumer.commitSync();
        }
        cluster.restart();
        Admin restartedAdmin = Clients.admin(cluster);
        try (restartedAdmin) {
            Map<TopicPartition, OffsetAndMetadata> committed = restartedAdmin
                    .listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertThat(committed.values().stream()
                            .mapToLong(OffsetAndMetadata::offset)
                            .sum())
                    .isEqualTo(10);
        }
        produce(topic, 10, 5);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(cluster, props)) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> read = Clients.pollUntil(consumer, 5, DEADLINE);
            assertThat(read)
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder("v10", "v11", "v12", "v13", "v14");
            assertThat(Clients.pollUntil(consumer, 1, Duration.ofSeconds(1))).isEmpty();
        } finally {
            admin.close();
            admin = Clients.admin(cluster);
        }
    }

    @Test
    void adminListsDescribesAndDeletesGroups() throws Exception {
        String topic = "admin-orders";
        String group = "admin-group";
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        produce(topic, 0, 6);
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(cluster, Map.of(ConsumerConfig.GROUP_ID_CONFIG, group))) {
            consumer.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(consumer, 6, DEADLINE)).hasSize(6);
            consumer.commitSync();

            ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.members()).hasSize(1);
            assertThat(description.members().iterator().next().assignment().topicPartitions())
                    .hasSize(3);
            Collection<GroupListing> listed = admin.listGroups(ListGroupsOptions.forConsumerGroups())
                    .all()
                    .get();
            assertThat(listed)
                    .filteredOn(g -> g.groupId().equals(group))
                    .extracting(GroupListing::groupState)
                    .containsExactly(Optional.of(GroupState.STABLE));
            assertThat(admin.listConsumerGroupOffsets(group)
                            .partitionsToOffsetAndMetadata()
                            .get()
                            .values())
                    .extracting(OffsetAndMetadata::offset)
                    .containsExactlyInAnyOrder(3L, 3L, 0L);
            assertThatThrownBy(() ->
                            admin.deleteConsumerGroups(List.of(group)).all().get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
        }
        admin.deleteConsumerGroups(List.of(group)).all().get();
        assertThat(admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get())
                .extracting(GroupListing::groupId)
                .doesNotContain(group);
    }

    private static void produce(String topic, int from, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(cluster, Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, "k" + i, "v" + i))
                        .get();
            }
        }
    }

    private static Predicate<List<KafkaConsumer<String, String>>> ownsEach(int partitions) {
        return consumers -> consumers.stream().allMatch(c -> c.assignment().size() == partitions)
                && allOwned(consumers).size() == partitions * consumers.size();
    }

    private static Set<TopicPartition> allOwned(List<KafkaConsumer<String, String>> consumers) {
        return consumers.stream().flatMap(c -> c.assignment().stream()).collect(Collectors.toCollection(HashSet::new));
    }

    /** Polls every consumer in turn until the condition holds; fails at the deadline. */
    private static void pollUntil(
            List<KafkaConsumer<String, String>> consumers, Predicate<List<KafkaConsumer<String, String>>> condition) {
        Instant end = Instant.now().plus(DEADLINE);
        while (!condition.test(consumers)) {
            assertThat(Instant.now())
                    .as(
                            "assignments %s",
                            consumers.stream().map(KafkaConsumer::assignment).toList())
                    .isBefore(end);
            consumers.forEach(c -> c.poll(Duration.ofMillis(50)));
        }
    }
}
