package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.CommitOffsets;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.GroupCoordinator.FetchOffsets;
import io.varve.group.GroupCoordinator.OffsetsResult;
import io.varve.group.GroupSettings;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupMetadata;
import io.varve.group.classic.GroupState;
import io.varve.group.classic.MemberMetadata;
import io.varve.group.internal.GroupEvent.GroupDeleted;
import io.varve.group.internal.GroupEvent.GroupMetadataStored;
import io.varve.group.internal.GroupEvent.OffsetsCommitted;
import io.varve.group.internal.GroupEvent.OffsetsDeleted;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Offsets of deleted topics and expired offsets, removed by the group entity before it handles the
 * next command: given events, a clock and a metadata image, a command, the events and reply.
 */
@ExtendWith(LogCapturingExtension.class)
class OffsetCleanupTest {
    private static final Duration RETENTION = Duration.ofHours(1);
    private static final GroupSettings SETTINGS = GroupEntityKit.settings(RETENTION, 100);
    private static final ActorTestKit TEST_KIT = GroupEntityKit.testKit();
    private static final long T0 = 1_700_000_000_000L;
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private static final TopicPartition AUDIT_0 = new TopicPartition("audit", 0);

    private final AtomicLong clock = new AtomicLong(T0);
    private final MetadataCache metadata = new MetadataCache(TestImages.withTopics(5, "orders", "audit"));
    private EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity;

    @BeforeEach
    void start() {
        entity = GroupEntityKit.entity(TEST_KIT, "g1", SETTINGS, metadata, clock::get);
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void offsetsOfATopicThatLeftTheImageAreRemovedAtTheNextCommand() {
        entity.initialize(committed(T0, ORDERS_0, AUDIT_0));
        metadata.update(TestImages.withTopics(6, "orders"));

        var fetch = entity.<OffsetsResult>runCommand(replyTo -> new FetchOffsets(true, List.of(), replyTo));

        assertThat(fetch.reply().offsets()).containsOnlyKeys(ORDERS_0);
        assertThat(fetch.events()).containsExactly(new OffsetsDeleted(List.of(AUDIT_0)));
        assertThat(fetch.state().offsets()).containsOnlyKeys(ORDERS_0);
    }

    @Test
    void offsetsOfATopicCreatedAgainUnderTheSameNameAreRemoved() {
        entity.initialize(committed(T0, ORDERS_0, AUDIT_0));
        metadata.update(
                TestImages.withTopicIds(6, Map.of("orders", TestImages.idOf("orders"), "audit", new Uuid(99L, 99L))));

        var fetch = entity.<OffsetsResult>runCommand(replyTo -> new FetchOffsets(false, List.of(AUDIT_0), replyTo));

        assertThat(fetch.reply().offsets()).isEmpty();
        assertThat(fetch.events()).containsExactly(new OffsetsDeleted(List.of(AUDIT_0)));
    }

    @Test
    void nothingIsJudgedDeletedBeforeTheNodeHasItsFirstImage() {
        MetadataCache unloaded = new MetadataCache(MetadataImage.empty(""));
        var fresh = EventSourcedBehaviorTestKit.<GroupCoordinator.Command, GroupEvent, GroupRecord>create(
                TEST_KIT.system(),
                GroupEntity.create("g2", SETTINGS, unloaded, clock::get),
                EventSourcedBehaviorTestKit.enabledSerializationSettings());
        fresh.initialize(committed(T0, ORDERS_0));

        var fetch = fresh.<OffsetsResult>runCommand(replyTo -> new FetchOffsets(true, List.of(), replyTo));

        assertThat(fetch.reply().offsets()).containsOnlyKeys(ORDERS_0);
        assertThat(fetch.hasNoEvents()).isTrue();
    }

    @Test
    void standaloneCommitsExpireOneRetentionAfterEachCommit() {
        commitStandalone(ORDERS_0);
        clock.set(T0 + Duration.ofMinutes(30).toMillis());
        commitStandalone(ORDERS_1);

        clock.set(T0 + RETENTION.toMillis() - 1);
        assertThat(fetchAll().reply().offsets()).containsOnlyKeys(ORDERS_0, ORDERS_1);
        clock.set(T0 + RETENTION.toMillis());
        var first = fetchAll();
        assertThat(first.reply().offsets()).containsOnlyKeys(ORDERS_1);
        assertThat(first.events()).containsExactly(new OffsetsDeleted(List.of(ORDERS_0)));

        clock.set(T0 + Duration.ofMinutes(90).toMillis());
        var second = fetchAll();
        assertThat(second.reply().offsets()).isEmpty();
        assertThat(second.events()).containsExactly(new OffsetsDeleted(List.of(ORDERS_1)));
        assertThat(describe().exists()).isFalse();
    }

    @Test
    void anEmptyGroupLosesEveryOffsetAndItselfOneRetentionAfterItBecameEmpty() {
        long emptySince = T0 + Duration.ofMinutes(10).toMillis();
        entity.initialize(
                committed(T0, ORDERS_0),
                new GroupMetadataStored(new GroupMetadata(3, "consumer", null, null, List.of()), emptySince),
                committed(emptySince + Duration.ofMinutes(20).toMillis(), AUDIT_0));

        clock.set(emptySince + RETENTION.toMillis() - 1);
        assertThat(fetchAll().reply().offsets()).containsOnlyKeys(ORDERS_0, AUDIT_0);
        assertThat(describe().state()).isEqualTo(GroupState.EMPTY);

        clock.set(emptySince + RETENTION.toMillis());
        var fetch = fetchAll();
        assertThat(fetch.reply().offsets()).isEmpty();
        assertThat(fetch.events()).hasSize(2);
        assertThat(((OffsetsDeleted) fetch.events().get(0)).partitions()).containsExactlyInAnyOrder(ORDERS_0, AUDIT_0);
        assertThat(fetch.events().get(1)).isEqualTo(new GroupDeleted(3));
        assertThat(fetch.state()).isEqualTo(GroupRecord.EMPTY);
        assertThat(describe().exists()).isFalse();
    }

    @Test
    void anEmptyGroupWithoutOffsetsIsDeletedOneRetentionAfterItBecameEmpty() {
        entity.initialize(new GroupMetadataStored(new GroupMetadata(2, "consumer", null, null, List.of()), T0));

        clock.set(T0 + RETENTION.toMillis() - 1);
        assertThat(describe().exists()).isTrue();
        clock.set(T0 + RETENTION.toMillis());
        var delete = entity.<ErrorResult>runCommand(GroupCoordinator.DeleteGroup::new);

        assertThat(delete.events()).containsExactly(new GroupDeleted(2));
        assertThat(delete.reply().error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void aStableConsumerGroupLosesOnlyExpiredOffsetsOfTopicsNobodySubscribesTo() {
        byte[] subscription = bytes(ConsumerProtocol.serializeSubscription(new Subscription(List.of("orders"))));
        // the group is restored (its member's session starting) an hour after the commits
        clock.set(T0 + RETENTION.toMillis());
        entity.initialize(
                new GroupMetadataStored(
                        new GroupMetadata(
                                4,
                                "consumer",
                                "range",
                                "m1",
                                List.of(new MemberMetadata(
                                        "m1", null, "c", "/h", 10_000, 30_000, subscription, new byte[0]))),
                        T0),
                committed(T0, ORDERS_0, AUDIT_0));

        // the member heartbeats, which runs the cleanup first
        var heartbeat =
                entity.<ErrorResult>runCommand(replyTo -> new GroupCoordinator.Heartbeat("m1", null, 4, replyTo));

        assertThat(heartbeat.reply().error()).isEqualTo(Errors.NONE);
        assertThat(heartbeat.events()).containsExactly(new OffsetsDeleted(List.of(AUDIT_0)));
        assertThat(fetchAll().reply().offsets()).containsOnlyKeys(ORDERS_0);
        assertThat(describe().state()).isEqualTo(GroupState.STABLE);
    }

    private void commitStandalone(TopicPartition partition) {
        var commit = entity.<ErrorResult>runCommand(replyTo ->
                new CommitOffsets("", null, -1, Map.of(partition, new CommittedOffset(1, -1, "", -1)), replyTo));
        assertThat(commit.reply().error()).isEqualTo(Errors.NONE);
    }

    private EventSourcedBehaviorTestKit.CommandResultWithReply<
                    GroupCoordinator.Command, GroupEvent, GroupRecord, OffsetsResult>
            fetchAll() {
        return entity.runCommand(replyTo -> new FetchOffsets(true, List.of(), replyTo));
    }

    private GroupDescription describe() {
        return entity.<GroupDescription>runCommand(GroupCoordinator.DescribeGroup::new)
                .reply();
    }

    private static OffsetsCommitted committed(long timestampMs, TopicPartition... partitions) {
        Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
        for (TopicPartition partition : partitions) {
            offsets.put(partition, new CommittedOffset(10, -1, "", timestampMs, TestImages.idOf(partition.topic())));
        }
        return new OffsetsCommitted(Map.copyOf(offsets));
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
