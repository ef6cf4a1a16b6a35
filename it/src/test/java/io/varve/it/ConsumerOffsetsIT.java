package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.it.support.Clients;
import io.varve.it.support.Polls;
import io.varve.it.support.VarveNodeExtension;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.NoOffsetForPartitionException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Committed offsets with real kafka-clients consumers and Admin: auto-commit, {@code commitAsync}
 * with a callback, {@code seek} then commit, {@code auto.offset.reset}, the Admin offset APIs with
 * lag, group deletion, and offsets of a deleted topic. One node for the class; each test has its
 * own topic and group.
 */
class ConsumerOffsetsIT {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @RegisterExtension
    static final VarveNodeExtension node =
            new VarveNodeExtension(Map.of("varve.group.initial-rebalance-delay", "100ms"));

    @Test
    void autoCommitCommitsWhatWasPolled() throws Exception {
        String topic = createTopicWithRecords("auto-orders", 2, 10);
        try (KafkaConsumer<String, String> consumer = consumer(
                "auto-group",
                Map.of(
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        true,
                        ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG,
                        100))) {
            consumer.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(consumer, 10, DEADLINE)).hasSize(10);

            boolean committed = Conditions.awaitTrue(DEADLINE, () -> {
                consumer.poll(Duration.ofMillis(50));
                return committedOffsets("auto-group").equals(Map.of(tp(topic, 0), 5L, tp(topic, 1), 5L));
            });
            assertThat(committed)
                    .as("committed %s", committedOffsets("auto-group"))
                    .isTrue();
        }
    }

    @Test
    void commitAsyncCallsBackWithTheCommittedOffsets() throws Exception {
        String topic = createTopicWithRecords("async-orders", 2, 6);
        try (KafkaConsumer<String, String> consumer = consumer("async-group", Map.of())) {
            consumer.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(consumer, 6, DEADLINE)).hasSize(6);
            Map<TopicPartition, OffsetAndMetadata> toCommit = Map.of(
                    tp(topic, 0), new OffsetAndMetadata(3, "first half"), tp(topic, 1), new OffsetAndMetadata(2));
            CompletableFuture<Map<TopicPartition, OffsetAndMetadata>> callback = new CompletableFuture<>();

            consumer.commitAsync(toCommit, (offsets, error) -> {
                if (error != null) {
                    callback.completeExceptionally(error);
                } else {
                    callback.complete(offsets);
                }
            });
            assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                        consumer.poll(Duration.ofMillis(50));
                        return callback.isDone();
                    }))
                    .isTrue();

            assertThat(callback.get()).isEqualTo(toCommit);
            Map<TopicPartition, OffsetAndMetadata> stored = node.admin()
                    .listConsumerGroupOffsets("async-group")
                    .partitionsToOffsetAndMetadata()
                    .get();
            assertThat(stored.get(tp(topic, 0)).offset()).isEqualTo(3);
            assertThat(stored.get(tp(topic, 0)).metadata()).isEqualTo("first half");
            assertThat(stored.get(tp(topic, 1)).offset()).isEqualTo(2);
        }
    }

    @Test
    void seekThenCommitIsWhereTheNextConsumerStarts() throws Exception {
        String topic = createTopicWithRecords("seek-orders", 1, 10);
        TopicPartition partition = tp(topic, 0);
        try (KafkaConsumer<String, String> consumer = consumer("seek-group", Map.of())) {
            consumer.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(consumer, 10, DEADLINE)).hasSize(10);
            consumer.seek(partition, 7);
            consumer.commitSync();
            assertThat(consumer.committed(Set.of(partition)).get(partition).offset())
                    .isEqualTo(7);
        }
        try (KafkaConsumer<String, String> next = consumer("seek-group", Map.of())) {
            next.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(next, 3, DEADLINE))
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(7L, 8L, 9L);
        }
    }

    @Test
    void autoOffsetResetEarliestLatestAndNone() throws Exception {
        String topic = createTopicWithRecords("reset-orders", 1, 4);
        try (KafkaConsumer<String, String> earliest =
                consumer("reset-earliest", Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            earliest.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(earliest, 4, DEADLINE))
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(0L, 1L, 2L, 3L);
        }
        try (KafkaConsumer<String, String> latest =
                consumer("reset-latest", Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"))) {
            latest.subscribe(List.of(topic));
            assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                        latest.poll(Duration.ofMillis(50));
                        return !latest.assignment().isEmpty();
                    }))
                    .isTrue();
            assertThat(latest.position(tp(topic, 0))).isEqualTo(4);
            produce(topic, 1, 4, 2);
            assertThat(Clients.pollUntil(latest, 2, DEADLINE))
                    .extracting(ConsumerRecord::offset)
                    .containsExactly(4L, 5L);
        }
        try (KafkaConsumer<String, String> none =
                consumer("reset-none", Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            none.subscribe(List.of(topic));
            NoOffsetForPartitionException thrown =
                    Polls.pollUntilThrown(none, NoOffsetForPartitionException.class, DEADLINE);
            assertThat(thrown.partitions()).containsExactly(tp(topic, 0));
        }
    }

    @Test
    void adminListsOffsetsWithLagAltersAndDeletesThem() throws Exception {
        String topic = createTopicWithRecords("admin-offsets", 2, 10);
        String group = "admin-offsets-group";
        try (KafkaConsumer<String, String> consumer = consumer(group, Map.of())) {
            consumer.subscribe(List.of(topic));
            assertThat(Clients.pollUntil(consumer, 10, DEADLINE)).hasSize(10);
            consumer.commitSync(Map.of(tp(topic, 0), new OffsetAndMetadata(2), tp(topic, 1), new OffsetAndMetadata(5)));

            assertThat(lag(group)).isEqualTo(Map.of(tp(topic, 0), 3L, tp(topic, 1), 0L));
            assertThatThrownBy(() -> node.admin()
                            .alterConsumerGroupOffsets(group, Map.of(tp(topic, 0), new OffsetAndMetadata(0)))
                            .all()
                            .get())
                    .hasCauseInstanceOf(UnknownMemberIdException.class);
            assertThatThrownBy(() -> node.admin()
                            .deleteConsumerGroupOffsets(group, Set.of(tp(topic, 0)))
                            .all()
                            .get())
                    .hasCauseInstanceOf(GroupSubscribedToTopicException.class);
            assertThatThrownBy(() -> node.admin()
                            .deleteConsumerGroups(List.of(group))
                            .all()
                            .get())
                    .hasCauseInstanceOf(GroupNotEmptyException.class);
        }

        node.admin()
                .alterConsumerGroupOffsets(group, Map.of(tp(topic, 0), new OffsetAndMetadata(1, "rewound")))
                .all()
                .get();
        assertThat(lag(group)).isEqualTo(Map.of(tp(topic, 0), 4L, tp(topic, 1), 0L));

        node.admin()
                .deleteConsumerGroupOffsets(group, Set.of(tp(topic, 1)))
                .all()
                .get();
        assertThat(committedOffsets(group)).isEqualTo(Map.of(tp(topic, 0), 1L));

        node.admin().deleteConsumerGroups(List.of(group)).all().get();
        assertThat(committedOffsets(group)).isEmpty();
        assertThatThrownBy(() ->
                        node.admin().deleteConsumerGroups(List.of(group)).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(GroupIdNotFoundException.class);
    }

    @Test
    void deletingATopicRemovesItsOffsetsEvenWhenItIsCreatedAgain() throws Exception {
        String kept = createTopicWithRecords("kept-orders", 1, 1);
        String deleted = createTopicWithRecords("deleted-orders", 1, 1);
        String group = "deleted-topic-group";
        node.admin()
                .alterConsumerGroupOffsets(
                        group, Map.of(tp(kept, 0), new OffsetAndMetadata(1), tp(deleted, 0), new OffsetAndMetadata(1)))
                .all()
                .get();
        assertThat(committedOffsets(group)).isEqualTo(Map.of(tp(kept, 0), 1L, tp(deleted, 0), 1L));

        node.admin().deleteTopics(List.of(deleted)).all().get();
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> !node.admin().listTopics().names().get().contains(deleted)))
                .isTrue();
        node.admin()
                .createTopics(List.of(new NewTopic(deleted, 1, (short) 1)))
                .all()
                .get();
        assertThat(Conditions.awaitTrue(
                        DEADLINE, () -> node.admin().listTopics().names().get().contains(deleted)))
                .isTrue();

        assertThat(committedOffsets(group)).isEqualTo(Map.of(tp(kept, 0), 1L));
    }

    private static Map<TopicPartition, Long> lag(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> committed = node.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get();
        Map<TopicPartition, OffsetSpec> latest =
                committed.keySet().stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends =
                node.admin().listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> lag = new HashMap<>();
        committed.forEach((tp, offset) -> lag.put(tp, ends.get(tp).offset() - offset.offset()));
        return lag;
    }

    private static Map<TopicPartition, Long> committedOffsets(String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        node.admin()
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get()
                .forEach((tp, offset) -> offsets.put(tp, offset.offset()));
        return offsets;
    }

    private static String createTopicWithRecords(String topic, int partitions, int records) throws Exception {
        node.admin()
                .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                .all()
                .get();
        produce(topic, partitions, 0, records);
        return topic;
    }

    /** Records {@code from..from+count-1}, spread round-robin over the partitions. */
    private static void produce(String topic, int partitions, int from, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(node.cluster(), Map.of())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i))
                        .get();
            }
        }
    }

    private static TopicPartition tp(String topic, int partition) {
        return new TopicPartition(topic, partition);
    }

    private static KafkaConsumer<String, String> consumer(String group, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return Clients.consumer(node.cluster(), props);
    }
}
