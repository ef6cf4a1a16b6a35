package io.varve.partition;

import static io.varve.partition.PartitionFixture.NODE;
import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.registration;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterPartitionResult;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitLogEnd;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.CountFetchWaiters;
import io.varve.partition.PartitionActor.DataAvailable;
import io.varve.partition.PartitionActor.EpochEndOffset;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.LastOffsetForLeaderEpoch;
import io.varve.partition.PartitionActor.ReplicaRead;
import io.varve.partition.PartitionActor.ReplicaReadResponse;
import io.varve.partition.PartitionActor.TruncateToEpoch;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.replication.ReplicaFetchers;
import io.varve.partition.replication.ReplicationContext;
import io.varve.partition.replication.ReplicationSettings;
import io.varve.storage.log.LogConfig;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.pekko.actor.UnhandledMessage;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A partition replicating with probes for the controller and the node's fetchers: the leader's
 * answers to follower fetches (records, high watermark, divergence), acks=all released by a
 * follower's progress, ISR expansion and shrink sent as AlterPartition, the follower's appends and
 * truncation, and KIP-207 on a new leader. Node 1 is this node; brokers 1, 2 and 3 are live at broker
 * epochs 11, 12 and 13.
 */
class PartitionReplicationTest extends PartitionActorTestBase {
    private TestProbe<Controller.Command> controller;
    private TestProbe<ReplicaFetchers.Command> fetchers;

    @BeforeEach
    void start() {
        controller = testKit.createTestProbe();
        fetchers = testKit.createTestProbe();
        fx.replication = replication(Duration.ofSeconds(30));
    }

    private ReplicationContext replication(Duration lagTimeMax) {
        MetadataImage image = new MetadataImage(
                9L,
                "c",
                1,
                Map.of(1, broker(1), 2, broker(2), 3, broker(3)),
                Map.of(
                        1, new io.varve.metadata.BrokerRegistration(broker(1), "i1", 11L, false),
                        2, new io.varve.metadata.BrokerRegistration(broker(2), "i2", 12L, false),
                        3, new io.varve.metadata.BrokerRegistration(broker(3), "i3", 13L, false)),
                Map.of(),
                Map.of(),
                Map.of());
        ReplicationSettings defaults = ReplicationSettings.defaults();
        return new ReplicationContext(
                controller.ref(),
                fetchers.ref(),
                new MetadataCache(image),
                new ReplicationSettings(
                        defaults.fetchWaitMax(),
                        defaults.fetchMaxBytes(),
                        defaults.fetchResponseMaxBytes(),
                        defaults.fetchBackoff(),
                        lagTimeMax,
                        defaults.socketTimeout()));
    }

    private static BrokerInfo broker(int id) {
        return new BrokerInfo(id, "127.0.0." + id, 9092, null);
    }

    private ReplicaReadResponse replicaRead(ActorRef<Command> partition, int replica, long offset, int lastEpoch) {
        TestProbe<ReplicaReadResponse> probe = testKit.createTestProbe();
        partition.tell(new ReplicaRead(
                replica, 10L + replica, offset, 0L, fx.registration.leaderEpoch(), lastEpoch, 1 << 20, probe.ref()));
        return probe.receiveMessage();
    }

    @Test
    void aFollowersFetchCarriesTheRecordsAndItsNextFetchReleasesAcksAll() {
        fx.registration = registration(List.of(1, 2), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> acks = testKit.createTestProbe();
        partition.tell(
                new PartitionActor.Append(batch("a", 4, System.currentTimeMillis()), (short) -1, 30_000, acks.ref()));

        ReplicaReadResponse first = replicaRead(partition, 2, 0, -1);
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(first.slice().length()).isPositive();
        assertThat(first.highWatermark()).isZero();
        acks.expectNoMessage(Duration.ofMillis(200));

        ReplicaReadResponse second = replicaRead(partition, 2, 4, 5);
        assertThat(second.highWatermark()).isEqualTo(4);
        AppendResponse acked = acks.receiveMessage();
        assertThat(acked.error()).isEqualTo(Errors.NONE);
        assertThat(acked.baseOffset()).isZero();
    }

    @Test
    void aFollowerWhoseLastEpochLeftTheLineageIsToldWhereItDiverged() {
        // this log: epoch 2 at offsets 0-2, epoch 5 from offset 3
        fx.registration = registration(List.of(1, 2), 2, 2, 0);
        ActorRef<Command> partition = fx.spawn();
        appendAsFollower(partition, 2, leaderBatches(List.of(2, 2, 2)), 3);
        partition.tell(new UpdateRegistration(registration(List.of(1, 2), NODE, 5, 1), LogConfig.fromMap(Map.of())));
        fx.registration = registration(List.of(1, 2), NODE, 5, 1);
        fx.append(partition, batch("b", 2, System.currentTimeMillis()), 1);

        // the follower has records of epoch 3 up to offset 4, which this leader never had
        ReplicaReadResponse diverging = replicaRead(partition, 2, 4, 3);

        assertThat(diverging.error()).isEqualTo(Errors.NONE);
        assertThat(diverging.slice()).isNull();
        assertThat(diverging.divergingEpoch()).isEqualTo(2);
        assertThat(diverging.divergingEndOffset()).isEqualTo(3);
        TestProbe<EpochEndOffset> ends = testKit.createTestProbe();
        partition.tell(new LastOffsetForLeaderEpoch(-1, 3, true, ends.ref()));
        assertThat(ends.receiveMessage()).isEqualTo(new EpochEndOffset(TP, Errors.NONE, 2, 3L));
    }

    @Test
    void aCaughtUpFollowerIsAddedToTheIsrThroughTheController() {
        fx.registration = registration(List.of(1), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);

        replicaRead(partition, 2, 3, 5);

        AlterPartition request = controller.expectMessageClass(AlterPartition.class);
        assertThat(request.leaderId()).isEqualTo(1);
        assertThat(request.leaderBrokerEpoch()).isEqualTo(11L);
        assertThat(request.leaderEpoch()).isEqualTo(5);
        assertThat(request.partitionEpoch()).isEqualTo(3);
        assertThat(request.newIsr()).containsExactly(new IsrMember(1, 11L), new IsrMember(2, 12L));
        PartitionRegistration committed = registration(List.of(1, 2), NODE, 5, 4);
        request.replyTo().tell(new AlterPartitionResult(Errors.NONE, null, committed));

        // with the ISR {1,2} an acks=all append now waits for follower 2
        TestProbe<AppendResponse> acks = testKit.createTestProbe();
        partition.tell(
                new PartitionActor.Append(batch("b", 1, System.currentTimeMillis()), (short) -1, 30_000, acks.ref()));
        acks.expectNoMessage(Duration.ofMillis(300));
        replicaRead(partition, 2, 4, 5);
        assertThat(acks.receiveMessage().baseOffset()).isEqualTo(3);
    }

    @Test
    void aFollowerNotCaughtUpForTheLagTimeIsRemovedFromTheIsr() {
        fx.replication = replication(Duration.ofMillis(400));
        fx.registration = registration(List.of(1, 2, 3), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);
        replicaRead(partition, 3, 3, 5); // 3 is caught up; 2 never fetches

        AlterPartition shrink = controller.expectMessageClass(AlterPartition.class, Duration.ofSeconds(5));

        assertThat(shrink.newIsr()).extracting(IsrMember::brokerId).containsExactly(1, 3);
        assertThat(shrink.partitionEpoch()).isEqualTo(3);
    }

    @Test
    void aSingleReplicaPartitionGivenFollowersAtTheSameEpochChecksItsIsrFromThenOn() {
        fx.replication = replication(Duration.ofMillis(400));
        fx.registration = new PartitionRegistration(TP.partition(), List.of(1), List.of(1), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);
        // a reassignment [1] -> [1,2] completed: same leader and epoch, follower 2 in the ISR
        PartitionRegistration moved =
                new PartitionRegistration(TP.partition(), List.of(1, 2), List.of(1, 2), NODE, 5, 5);
        fx.registration = moved;
        partition.tell(new UpdateRegistration(moved, LogConfig.fromMap(Map.of())));

        // follower 2 never fetches: the leader must notice, as it would at any other leadership
        AlterPartition shrink = controller.expectMessageClass(AlterPartition.class, Duration.ofSeconds(5));

        assertThat(shrink.newIsr()).extracting(IsrMember::brokerId).containsExactly(1);
        assertThat(shrink.partitionEpoch()).isEqualTo(5);
    }

    @Test
    void aLeaderThatStepsDownStopsCheckingTheIsr() {
        fx.replication = replication(Duration.ofMillis(200)); // an ISR check every 100 ms while leading
        fx.registration = registration(List.of(1, 2), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);
        TestProbe<UnhandledMessage> unhandled = testKit.createTestProbe();
        testKit.system().eventStream().tell(new EventStream.Subscribe<>(UnhandledMessage.class, unhandled.ref()));

        PartitionRegistration following = registration(List.of(1, 2), 2, 6, 4);
        partition.tell(new UpdateRegistration(following, LogConfig.fromMap(Map.of())));
        fx.registration = following;
        fetchers.fishForMessage(
                Duration.ofSeconds(5),
                message -> message instanceof ReplicaFetchers.Follow f && f.leaderEpoch() == 6
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore());

        // five intervals of the leader's timer: a follower left with it gets an IsrCheck it cannot handle
        unhandled.expectNoMessage(Duration.ofMillis(500));
    }

    @Test
    void aFollowerFollowsItsLeaderAppendsItsBatchesAndTruncatesToItsLineage() {
        fx.registration = registration(List.of(1, 2), 2, 4, 0);
        ActorRef<Command> partition = fx.spawn();
        ReplicaFetchers.Follow follow = fetchers.expectMessageClass(ReplicaFetchers.Follow.class);
        assertThat(follow.leaderId()).isEqualTo(2);
        assertThat(follow.leaderEpoch()).isEqualTo(4);
        assertThat(follow.fetchOffset()).isZero();
        assertThat(follow.lastFetchedEpoch()).isEqualTo(-1);

        FollowerProgress appended = appendAsFollower(partition, 4, leaderBatches(List.of(1, 1, 3, 3, 3)), 2);
        assertThat(appended.logEndOffset()).isEqualTo(5);
        assertThat(appended.lastFetchedEpoch()).isEqualTo(3);
        assertThat(fx.describe(partition).highWatermark()).isEqualTo(2);

        // the leader's lineage has epoch 1 ending at offset 2: epoch 3 is unknown to it
        TestProbe<FollowerProgress> progress = testKit.createTestProbe();
        partition.tell(new TruncateToEpoch(4, 1, 2L, progress.ref()));
        FollowerProgress truncated = progress.receiveMessage();
        assertThat(truncated.logEndOffset()).isEqualTo(2);
        assertThat(truncated.lastFetchedEpoch()).isEqualTo(1);

        partition.tell(new TruncateToEpoch(3, 1, 0L, progress.ref()));
        assertThat(progress.receiveMessage().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void aReplicaThatLedWithoutAppendingDropsThatEpochWhenItsNewLeaderNeverKnewIt() {
        fx.registration = registration(List.of(1, 2), 2, 4, 0);
        ActorRef<Command> partition = fx.spawn();
        appendAsFollower(partition, 4, leaderBatches(List.of(4, 4, 4)), 3);
        // led at epoch 5 from offset 3, appended nothing, then node 2 leads again at epoch 6
        PartitionRegistration leading = registration(List.of(1, 2), NODE, 5, 1);
        partition.tell(new UpdateRegistration(leading, LogConfig.fromMap(Map.of())));
        PartitionRegistration following = registration(List.of(1, 2), 2, 6, 2);
        partition.tell(new UpdateRegistration(following, LogConfig.fromMap(Map.of())));
        fx.registration = following;
        // the fishing keeps only the message that completes it: the Follow at epoch 6
        ReplicaFetchers.Follow follow = (ReplicaFetchers.Follow) fetchers.fishForMessage(
                        Duration.ofSeconds(5),
                        message -> message instanceof ReplicaFetchers.Follow f && f.leaderEpoch() == 6
                                ? FishingOutcomes.complete()
                                : FishingOutcomes.continueAndIgnore())
                .get(0);
        assertThat(follow.lastFetchedEpoch())
                .as("the epoch it led at without a record")
                .isEqualTo(5);

        // node 2's lineage ends epoch 4 at offset 3 (epoch 5 is unknown to it)
        TestProbe<FollowerProgress> progress = testKit.createTestProbe();
        partition.tell(new TruncateToEpoch(6, 4, 3L, progress.ref()));
        FollowerProgress truncated = progress.receiveMessage();

        assertThat(truncated.error()).isEqualTo(Errors.NONE);
        assertThat(truncated.logEndOffset()).isEqualTo(3);
        assertThat(truncated.lastFetchedEpoch())
                .as("the next fetch names epoch 4, which the leader knows, and is not told to diverge again")
                .isEqualTo(4);
    }

    @Test
    void aNewLeaderAnswersOffsetNotAvailableUntilItsHighWatermarkReachesItsEpochStart() {
        fx.registration = registration(List.of(1, 2), 2, 4, 0);
        ActorRef<Command> partition = fx.spawn();
        appendAsFollower(partition, 4, leaderBatches(List.of(4, 4, 4, 4, 4, 4)), 2);
        PartitionRegistration leading = registration(List.of(1, 2), NODE, 5, 1);
        partition.tell(new UpdateRegistration(leading, LogConfig.fromMap(Map.of())));
        fx.registration = leading;

        assertThat(fx.listOffsets(partition, ListOffsetsRequest.LATEST_TIMESTAMP)
                        .error())
                .isEqualTo(Errors.OFFSET_NOT_AVAILABLE);
        assertThat(fx.listOffsets(partition, ListOffsetsRequest.EARLIEST_TIMESTAMP)
                        .offset())
                .isZero();

        replicaRead(partition, 2, 6, 4);

        var latest = fx.listOffsets(partition, ListOffsetsRequest.LATEST_TIMESTAMP);
        assertThat(latest.error()).isEqualTo(Errors.NONE);
        assertThat(latest.offset()).isEqualTo(6);
        assertThat(latest.leaderEpoch()).isEqualTo(5);
    }

    @Test
    void aFollowersLongPollIsAnsweredOnAppendAndDroppedOnceItsFetchCompleted() throws InterruptedException {
        fx.registration = registration(List.of(1, 2), NODE, 5, 3);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<DataAvailable> woken = testKit.createTestProbe();
        partition.tell(new AwaitLogEnd(0L, 200, () -> false, woken.ref()));
        woken.expectNoMessage(Duration.ofMillis(100));
        fx.append(partition, batch("a", 1, System.currentTimeMillis()), 1);
        assertThat(woken.receiveMessage().tp()).isEqualTo(TP);

        // an idle partition polled by fetches that completed elsewhere keeps none of their polls
        java.util.concurrent.atomic.AtomicBoolean completed = new java.util.concurrent.atomic.AtomicBoolean();
        for (int i = 0; i < 20; i++) {
            partition.tell(new AwaitLogEnd(1L, 200, completed::get, woken.ref()));
        }
        assertThat(waiters(partition)).isEqualTo(20);
        completed.set(true);
        partition.tell(new AwaitLogEnd(1L, 200, () -> false, woken.ref()));
        assertThat(waiters(partition)).isEqualTo(1);
        Conditions.require(
                Duration.ofSeconds(5), "waiters swept after twice the max wait", () -> waiters(partition) == 0);
        woken.expectNoMessage(Duration.ofMillis(100));
    }

    private int waiters(ActorRef<Command> partition) {
        TestProbe<Integer> count = testKit.createTestProbe();
        partition.tell(new CountFetchWaiters(count.ref()));
        return count.receiveMessage();
    }

    /** Batches as a leader wrote them: one record per offset, each with the given leader epoch. */
    private MemoryRecords leaderBatches(List<Integer> epochs) {
        PartitionFixture leader = new PartitionFixture(testKit, dataDir.resolve("leader-" + System.nanoTime()));
        var log = leaderLog(leader);
        for (int epoch : epochs) {
            log.appendAsLeader(batch("r", 1, System.currentTimeMillis()), epoch);
        }
        try {
            return log.readRecords(0, 1 << 20, Long.MAX_VALUE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static io.varve.storage.log.PartitionLog leaderLog(PartitionFixture leader) {
        try {
            return io.varve.storage.log.PartitionLog.open(
                    leader.dataDir.resolve("orders-0"),
                    TP,
                    LogConfig.fromMap(Map.of()),
                    0L,
                    0L,
                    false,
                    86_400_000L,
                    java.time.Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private FollowerProgress appendAsFollower(
            ActorRef<Command> partition, int leaderEpoch, MemoryRecords records, long leaderHighWatermark) {
        TestProbe<FollowerProgress> progress = testKit.createTestProbe();
        partition.tell(new AppendAsFollower(leaderEpoch, records, leaderHighWatermark, 0L, progress.ref()));
        FollowerProgress answer = progress.receiveMessage();
        assertThat(answer.error()).as(answer.message()).isEqualTo(Errors.NONE);
        return answer;
    }
}
