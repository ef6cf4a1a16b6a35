package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.Clients;
import io.varve.it.support.Polls;
import io.varve.it.support.VarveCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Group membership with real kafka-clients consumers: a consumer that dies without leaving, static
 * membership (KIP-345) and fencing, and that a generation never gives one partition to two members.
 * One node for the class, with short session timeouts allowed.
 */
class ConsumerGroupMembershipIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int SESSION_TIMEOUT_MS = 3_000;

    @TempDir
    static Path dataDir;

    static VarveCluster cluster;
    static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        cluster = VarveCluster.start(
                dataDir,
                Map.of(
                        "varve.group.initial-rebalance-delay", "100ms",
                        "varve.group.min-session-timeout", "1s"));
        admin = Clients.admin(cluster);
    }

    @AfterAll
    static void stop() throws Exception {
        admin.close();
        cluster.close();
    }

    @Test
    void aConsumerThatStopsHeartbeatingLosesItsPartitionsAfterTheSessionTimeout() throws Exception {
        String topic = "killed-orders";
        String group = "killed-group";
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        KafkaConsumer<String, String> doomed = consumer(group, Map.of());
        try (KafkaConsumer<String, String> survivor = consumer(group, Map.of())) {
            doomed.subscribe(List.of(topic));
            survivor.subscribe(List.of(topic));
            pollUntil(
                    List.of(doomed, survivor),
                    () -> doomed.assignment().size() == 2
                            && survivor.assignment().size() == 2);

            // no LeaveGroup: the coordinator only learns from the missing heartbeats
            doomed.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));
            assertThat(describe(group).members()).hasSize(2);

            pollUntil(List.of(survivor), () -> survivor.assignment().size() == 4);
            ConsumerGroupDescription after = describe(group);
            assertThat(after.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(after.members()).hasSize(1);
            assertThat(after.members().iterator().next().assignment().topicPartitions())
                    .containsExactlyInAnyOrderElementsOf(partitions(topic, 4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class})
    void noGenerationGivesAPartitionToTwoMembers(Class<?> assignor) throws Exception {
        String topic = "owned-" + assignor.getSimpleName();
        String group = "owned-group-" + assignor.getSimpleName();
        admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();
        OwnershipLog log = new OwnershipLog();
        List<KafkaConsumer<String, String>> consumers = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                KafkaConsumer<String, String> consumer = consumer(
                        group, Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName()));
                consumer.subscribe(List.of(topic), log.listener(consumer, "c" + i));
                consumers.add(consumer);
                pollUntil(consumers, () -> ownsAll(consumers, 6) && balanced(consumers));
            }
            consumers.remove(1).close();
            pollUntil(consumers, () -> ownsAll(consumers, 6) && balanced(consumers));

            assertThat(log.generations()).hasSizeGreaterThanOrEqualTo(4);
            log.byGeneration.forEach((generation, owners) -> assertThat(overlaps(owners))
                    .as("generation %d: %s", generation, owners)
                    .isEmpty());
        } finally {
            consumers.forEach(KafkaConsumer::close);
        }
    }

    @Test
    void aRestartedStaticMemberRejoinsWithoutRebalancingTheOthers() throws Exception {
        String topic = "static-orders";
        String group = "static-group";
        admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        OwnershipLog log = new OwnershipLog();
        KafkaConsumer<String, String> first = consumer(group, staticMember("instance-a", 10_000));
        try (KafkaConsumer<String, String> other = consumer(group, staticMember("instance-b", 10_000))) {
            first.subscribe(List.of(topic), log.listener(first, "a"));
            other.subscribe(List.of(topic), log.listener(other, "b"));
            pollUntil(
                    List.of(first, other),
                    () -> first.assignment().size() == 2 && other.assignment().size() == 2);
            int generation = other.groupMetadata().generationId();
            Set<TopicPartition> firstPartitions = Set.copyOf(first.assignment());
            Set<TopicPartition> otherPartitions = Set.copyOf(other.assignment());
            int rebalancesSeenByOther = log.assignments("b");

            first.close(); // a static member does not leave on close
            try (KafkaConsumer<String, String> restarted = consumer(group, staticMember("instance-a", 10_000))) {
                restarted.subscribe(List.of(topic), log.listener(restarted, "a2"));
                pollUntil(
                        List.of(restarted, other), () -> restarted.assignment().size() == 2);

                assertThat(restarted.assignment()).containsExactlyInAnyOrderElementsOf(firstPartitions);
                assertThat(restarted.groupMetadata().generationId()).isEqualTo(generation);
                assertThat(other.groupMetadata().generationId()).isEqualTo(generation);
                assertThat(other.assignment()).containsExactlyInAnyOrderElementsOf(otherPartitions);
                assertThat(log.assignments("b")).isEqualTo(rebalancesSeenByOther);
                assertThat(describe(group).members())
                        .extracting(m -> m.groupInstanceId().orElseThrow())
                        .containsExactlyInAnyOrder("instance-a", "instance-b");
            }
        }
    }

    @Test
    void aSecondConsumerWithTheSameInstanceIdFencesTheFirst() throws Exception {
        String topic = "fenced-orders";
        String group = "fenced-group";
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        KafkaConsumer<String, String> original = consumer(group, staticMember("instance-x", 10_000));
        try (KafkaConsumer<String, String> duplicate = consumer(group, staticMember("instance-x", 10_000))) {
            original.subscribe(List.of(topic));
            pollUntil(List.of(original), () -> original.assignment().size() == 2);

            duplicate.subscribe(List.of(topic));
            pollUntil(List.of(duplicate), () -> duplicate.assignment().size() == 2);

            assertThat(Polls.pollUntilThrown(original, FencedInstanceIdException.class, DEADLINE))
                    .isInstanceOf(FencedInstanceIdException.class);
            assertThat(describe(group).members())
                    .extracting(MemberDescription::groupInstanceId)
                    .containsExactly(Optional.of("instance-x"));
        } finally {
            original.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }

    /** Each consumer's full assignment whenever partitions are assigned, by generation. */
    private static final class OwnershipLog {
        final Map<Integer, Map<String, Set<TopicPartition>>> byGeneration = new ConcurrentHashMap<>();
        final Map<String, Integer> assignedCalls = new ConcurrentHashMap<>();

        ConsumerRebalanceListener listener(KafkaConsumer<String, String> consumer, String name) {
            return new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    byGeneration
                            .computeIfAbsent(consumer.groupMetadata().generationId(), g -> new ConcurrentHashMap<>())
                            .put(name, Set.copyOf(consumer.assignment()));
                    assignedCalls.merge(name, 1, Integer::sum);
                }
            };
        }

        Set<Integer> generations() {
            return byGeneration.keySet();
        }

        int assignments(String name) {
            return assignedCalls.getOrDefault(name, 0);
        }
    }

    private static Set<TopicPartition> overlaps(Map<String, Set<TopicPartition>> owners) {
        Set<TopicPartition> seen = new HashSet<>();
        Set<TopicPartition> twice = new HashSet<>();
        owners.values()
                .forEach(partitions -> partitions.forEach(p -> {
                    if (!seen.add(p)) {
                        twice.add(p);
                    }
                }));
        return twice;
    }

    private static boolean ownsAll(List<KafkaConsumer<String, String>> consumers, int partitions) {
        Set<TopicPartition> owned =
                consumers.stream().flatMap(c -> c.assignment().stream()).collect(Collectors.toSet());
        int total = consumers.stream().mapToInt(c -> c.assignment().size()).sum();
        return owned.size() == partitions && total == partitions;
    }

    private static boolean balanced(List<KafkaConsumer<String, String>> consumers) {
        int max = consumers.stream().mapToInt(c -> c.assignment().size()).max().orElse(0);
        int min = consumers.stream().mapToInt(c -> c.assignment().size()).min().orElse(0);
        return max - min <= 1;
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
        return partitions;
    }

    private static ConsumerGroupDescription describe(String group) throws Exception {
        return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }

    private static Map<String, Object> staticMember(String instanceId, int sessionTimeoutMs) {
        return Map.of(
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId,
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, sessionTimeoutMs);
    }

    private static KafkaConsumer<String, String> consumer(String group, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        props.putAll(extra);
        return Clients.consumer(cluster, props);
    }

    /** Polls every consumer in turn until the condition holds; fails at the deadline. */
    private static void pollUntil(List<KafkaConsumer<String, String>> consumers, BooleanSupplier condition) {
        Instant end = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now())
                    .as(
                            "assignments %s",
                            consumers.stream().map(KafkaConsumer::assignment).toList())
                    .isBefore(end);
            consumers.forEach(c -> c.poll(Duration.ofMillis(50)));
        }
    }
}
