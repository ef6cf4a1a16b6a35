package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinator.CommitOffsets;
import io.varve.group.GroupCoordinator.DeleteGroup;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.GroupCoordinator.FetchOffsets;
import io.varve.group.GroupCoordinator.OffsetsResult;
import io.varve.group.GroupSettings;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupMetadata;
import io.varve.group.classic.GroupState;
import io.varve.group.classic.JoinRequest;
import io.varve.group.classic.JoinResult;
import io.varve.group.classic.MemberMetadata;
import io.varve.group.classic.Protocol;
import io.varve.group.classic.SyncRequest;
import io.varve.group.classic.SyncResult;
import io.varve.group.internal.GroupEvent.GroupDeleted;
import io.varve.group.internal.GroupEvent.GroupMetadataStored;
import io.varve.group.internal.GroupEvent.OffsetsCommitted;
import io.varve.metadata.MetadataCache;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The group entity under Pekko's event-sourced test kit: given events, a command, events and reply. */
@ExtendWith(LogCapturingExtension.class)
class GroupEntityTest {
    private static final GroupSettings SETTINGS = GroupEntityKit.settings(Duration.ofDays(7), 3);
    private static final ActorTestKit TEST_KIT = GroupEntityKit.testKit();
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final long START_MS = GroupEntityKit.START_MS;

    private final MetadataCache metadata = new MetadataCache(TestImages.withTopics(1, "orders"));

    private EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity;

    @BeforeEach
    void start() {
        entity = GroupEntityKit.entity(TEST_KIT, "g1", SETTINGS, metadata, () -> START_MS);
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void simpleCommitOnAnEmptyGroupIsPersistedAndFetched() {
        var commit = entity.<ErrorResult>runCommand(replyTo ->
                new CommitOffsets("", null, -1, Map.of(ORDERS_0, new CommittedOffset(42, 3, "meta", -1)), replyTo));

        assertThat(commit.reply()).isEqualTo(new ErrorResult(Errors.NONE));
        OffsetsCommitted event = (OffsetsCommitted) commit.event();
        assertThat(event.offsets().get(ORDERS_0).offset()).isEqualTo(42);
        assertThat(event.offsets().get(ORDERS_0).commitTimestampMs()).isEqualTo(START_MS);

        entity.restart();
        var fetch = entity.<OffsetsResult>runCommand(replyTo -> new FetchOffsets(false, List.of(ORDERS_0), replyTo));
        assertThat(fetch.reply().offsets().get(ORDERS_0))
                .extracting(CommittedOffset::offset, CommittedOffset::leaderEpoch, CommittedOffset::metadata)
                .containsExactly(42L, 3, "meta");
    }

    @Test
    void commitWithAGenerationToAnUnknownGroupIsRejected() {
        var commit = entity.<ErrorResult>runCommand(replyTo ->
                new CommitOffsets("m1", null, 1, Map.of(ORDERS_0, new CommittedOffset(1, -1, "", -1)), replyTo));

        assertThat(commit.reply().error()).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
        assertThat(commit.hasNoEvents()).isTrue();
    }

    @Test
    void joinAndLeaderSyncStoreTheStableGeneration() {
        var firstJoin = entity.<JoinResult>runCommand(replyTo -> new GroupCoordinator.JoinGroup(join(""), replyTo));
        assertThat(firstJoin.reply().error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        String memberId = firstJoin.reply().memberId();

        var join = entity.<JoinResult>runCommand(replyTo -> new GroupCoordinator.JoinGroup(join(memberId), replyTo));
        assertThat(join.reply().generationId()).isEqualTo(1);
        var sync = entity.<SyncResult>runCommand(replyTo -> new GroupCoordinator.SyncGroup(
                new SyncRequest(memberId, null, 1, "consumer", "range", Map.of(memberId, new byte[] {5})), replyTo));

        assertThat(sync.reply().assignment()).containsExactly(5);
        assertThat(((GroupMetadataStored) sync.event()).timestampMs()).isEqualTo(START_MS);
        GroupMetadata stored = ((GroupMetadataStored) sync.event()).metadata();
        assertThat(stored.generationId()).isEqualTo(1);
        assertThat(stored.leaderId()).isEqualTo(memberId);
        assertThat(stored.members()).extracting(MemberMetadata::memberId).containsExactly(memberId);
    }

    @Test
    void restoredGroupIsStableWithItsMembers() {
        entity.initialize(new GroupMetadataStored(
                new GroupMetadata(
                        4,
                        "consumer",
                        "range",
                        "m1",
                        List.of(new MemberMetadata(
                                "m1", null, "c", "/h", 10_000, 30_000, new byte[0], new byte[] {9}))),
                START_MS));

        var heartbeat =
                entity.<ErrorResult>runCommand(replyTo -> new GroupCoordinator.Heartbeat("m1", null, 4, replyTo));
        var describe = entity.<GroupDescription>runCommand(GroupCoordinator.DescribeGroup::new);

        assertThat(heartbeat.reply().error()).isEqualTo(Errors.NONE);
        assertThat(describe.reply().state()).isEqualTo(GroupState.STABLE);
        assertThat(describe.reply().members().get(0).assignment()).containsExactly(9);
    }

    @Test
    void deleteGroupRefusesAGroupWithMembersAndDeletesAnEmptyOne() {
        entity.initialize(new GroupMetadataStored(
                new GroupMetadata(
                        2,
                        "consumer",
                        "range",
                        "m1",
                        List.of(new MemberMetadata("m1", null, "c", "/h", 10_000, 30_000, new byte[0], new byte[0]))),
                START_MS));
        assertThat(entity.<ErrorResult>runCommand(DeleteGroup::new).reply().error())
                .isEqualTo(Errors.NON_EMPTY_GROUP);

        entity.initialize(new OffsetsCommitted(Map.of(ORDERS_0, new CommittedOffset(7, -1, "", START_MS))));
        var delete = entity.<ErrorResult>runCommand(DeleteGroup::new);

        assertThat(delete.reply().error()).isEqualTo(Errors.NONE);
        assertThat(delete.event()).isEqualTo(new GroupDeleted(0));
        assertThat(delete.state()).isEqualTo(GroupRecord.EMPTY);
        assertThat(entity.<ErrorResult>runCommand(DeleteGroup::new).reply().error())
                .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }

    @Test
    void commitsThatArriveTogetherArePersistedAsOneEvent() throws InterruptedException {
        PersistenceTestKit journal = PersistenceTestKit.create(TEST_KIT.system());
        TestProbe<ErrorResult> replies = TEST_KIT.createTestProbe();
        // the entity's recovery reads the journal; holding that read until the three commits are in
        // its mailbox makes them arrive together whatever the scheduling (under load the entity
        // could otherwise recover, take the first commit and flush it before the next was sent)
        CountDownLatch allSent = new CountDownLatch(1);
        AtomicBoolean recoveryRead = new AtomicBoolean();
        ProcessingPolicy<JournalOperation> holdRecovery = (persistenceId, operation) -> {
            if (persistenceId.equals("group|batched") && !(operation instanceof WriteEvents)) {
                recoveryRead.set(true);
                awaitQuietly(allSent);
            }
            return ProcessingSuccess.getInstance();
        };
        journal.withPolicy(holdRecovery);
        try {
            ActorRef<GroupCoordinator.Command> batched =
                    TEST_KIT.spawn(GroupEntity.create("batched", SETTINGS, metadata, () -> START_MS));
            // sent before the entity has recovered: Pekko stashes them and replays them in order
            for (int partition = 0; partition < 3; partition++) {
                batched.tell(new CommitOffsets(
                        "",
                        null,
                        -1,
                        Map.of(new TopicPartition("orders", partition), new CommittedOffset(partition, -1, "", -1)),
                        replies.ref()));
            }
            allSent.countDown();

            assertThat(replies.receiveSeveralMessages(3)).containsOnly(new ErrorResult(Errors.NONE));
        } finally {
            allSent.countDown();
            journal.resetPolicy();
        }
        // the recovery read the journal either after the three sends or held until they were done
        assertThat(recoveryRead)
                .as("the entity's recovery went through the holding policy")
                .isTrue();
        List<Object> events = journal.persistedInStorage("group|batched");
        assertThat(events)
                .singleElement()
                .isEqualTo(new OffsetsCommitted(Map.of(
                        ORDERS_0,
                        new CommittedOffset(0, -1, "", -1).committedAt(START_MS),
                        new TopicPartition("orders", 1),
                        new CommittedOffset(1, -1, "", -1).committedAt(START_MS),
                        new TopicPartition("orders", 2),
                        new CommittedOffset(2, -1, "", -1).committedAt(START_MS))));
    }

    /** The journal's read waits for the test (bounded, so a broken test cannot hang the build). */
    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static JoinRequest join(String memberId) {
        return new JoinRequest(
                memberId,
                null,
                "client",
                "/127.0.0.1",
                10_000,
                30_000,
                "consumer",
                List.of(new Protocol("range", new byte[0])),
                true);
    }
}
