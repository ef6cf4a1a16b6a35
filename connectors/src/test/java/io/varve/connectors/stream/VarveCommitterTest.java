package io.varve.connectors.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.support.Clients;
import io.varve.connectors.support.TestNode;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pekko.Done;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Offsets committed in-process are the group's offsets for Kafka's consumer and Admin, and back. */
class VarveCommitterTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static EmbeddedVarve node;
    private static Admin admin;

    @BeforeAll
    static void start() throws Exception {
        node = TestNode.builder().topic("orders", 2).start();
        admin = Clients.admin(node);
        Source.range(0, 199)
                .map(i -> new ProducerRecord<String, String>("orders", i % 2, "k" + i, "v" + i))
                .runWith(
                        VarveProducer.sink(node, SinkSettings.create(new StringSerializer(), new StringSerializer())),
                        node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        admin.close();
        TestNode.close(node);
    }

    private static SourceSettings<String, String> group(String groupId) {
        return SourceSettings.create(new StringDeserializer(), new StringDeserializer())
                .withGroupId(groupId)
                .withAutoOffsetReset(OffsetReset.EARLIEST);
    }

    @Test
    void committedOffsetsAreTheGroupsForAdminAndAKafkaConsumerAndBack() throws Exception {
        // the stream handles 60 records of each partition and commits them
        Done done = VarveConsumer.committableSource(node, group("billing"), "orders")
                .take(120)
                .map(CommittableRecord::committableOffset)
                .runWith(VarveCommitter.sink(node, CommitSettings.defaults().withMaxBatch(7)), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(done).isEqualTo(Done.getInstance());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("billing")
                .partitionsToOffsetAndMetadata()
                .get();
        assertThat(committed).hasSize(2);
        long total =
                committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        assertThat(total).isEqualTo(120);

        // a Kafka consumer of the group continues exactly where the stream left off
        List<ConsumerRecord<String, String>> rest = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                Clients.consumer(node, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing"))) {
            consumer.subscribe(List.of("orders"));
            Conditions.awaitTrue(DEADLINE, () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(rest::add);
                return rest.size() >= 80;
            });
            assertThat(rest).hasSize(80);
            for (ConsumerRecord<String, String> r : rest) {
                assertThat(r.offset())
                        .isGreaterThanOrEqualTo(committed
                                .get(new TopicPartition("orders", r.partition()))
                                .offset());
            }
            consumer.commitSync();
        }
        // and the stream, started again, finds the group's offsets at the end: nothing left to read
        Map<TopicPartition, OffsetAndMetadata> after = admin.listConsumerGroupOffsets("billing")
                .partitionsToOffsetAndMetadata()
                .get();
        assertThat(after.get(new TopicPartition("orders", 0)).offset()).isEqualTo(100);
        assertThat(after.get(new TopicPartition("orders", 1)).offset()).isEqualTo(100);
        Source.range(200, 201)
                .map(i -> new ProducerRecord<String, String>("orders", i % 2, "k" + i, "v" + i))
                .runWith(
                        VarveProducer.sink(node, SinkSettings.create(new StringSerializer(), new StringSerializer())),
                        node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        List<CommittableRecord<String, String>> again = VarveConsumer.committableSource(
                        node, group("billing"), "orders")
                .take(2)
                .runWith(Sink.seq(), node.system())
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        assertThat(again).extracting(r -> r.record().value()).containsExactlyInAnyOrder("v200", "v201");
        assertThat(again).extracting(r -> r.committableOffset().offset()).containsOnly(101L);
    }

    @Test
    void committingToAGroupWithKafkaMembersFailsWithUnknownMember() throws Exception {
        try (KafkaConsumer<String, String> member =
                Clients.consumer(node, Map.of(ConsumerConfig.GROUP_ID_CONFIG, "shared"))) {
            member.subscribe(List.of("orders"));
            assertThat(Conditions.awaitTrue(DEADLINE, () -> {
                        member.poll(Duration.ofMillis(100));
                        return !member.assignment().isEmpty();
                    }))
                    .isTrue();
            var commit = VarveConsumer.committableSource(node, group("shared"), "orders")
                    .take(1)
                    .map(CommittableRecord::committableOffset)
                    .runWith(VarveCommitter.sink(node, CommitSettings.defaults()), node.system())
                    .toCompletableFuture();
            assertThatThrownBy(() -> commit.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(UnknownMemberIdException.class)
                    .hasMessageContaining("group 'shared' failed with UNKNOWN_MEMBER_ID");
        }
    }
}
