package io.varve.partition;

import static io.varve.partition.PartitionFixture.EPOCH;
import static io.varve.partition.PartitionFixture.TOPIC_ID;
import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.LogDescription;
import io.varve.partition.PartitionActor.Stop;
import io.varve.partition.PartitionActor.Stopped;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.storage.checkpoint.PartitionMetadataFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionActorLifecycleTest extends PartitionActorTestBase {
    private static final long NOW = System.currentTimeMillis();
    private static final long HOUR_MS = 3_600_000L;

    private ManualTime manualTime;

    @Override
    ActorTestKit createTestKit() {
        return ActorTestKit.create(ManualTime.config());
    }

    @BeforeEach
    void start() {
        manualTime = ManualTime.get(testKit.system());
    }

    private Stopped stop(ActorRef<Command> partition, boolean deleteLog) {
        TestProbe<Stopped> probe = testKit.createTestProbe();
        partition.tell(new Stop(deleteLog, probe.ref()));
        Stopped stopped = probe.receiveMessage();
        probe.expectTerminated(partition);
        return stopped;
    }

    @Test
    void readsAndListOffsetsCheckTheLeaderEpoch() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 1, NOW), 1);

        assertThat(fx.read(partition, 0, EPOCH - 1).error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(fx.read(partition, 0, EPOCH + 1).error()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH);
        assertThat(fx.read(partition, 0, EPOCH).error()).isEqualTo(Errors.NONE);
        assertThat(fx.read(partition, 0, -1).error()).isEqualTo(Errors.NONE);
        TestProbe<ListOffsetsResponse> probe = testKit.createTestProbe();
        partition.tell(new ListOffsets(-1, false, EPOCH - 1, probe.ref()));
        assertThat(probe.receiveMessage().error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    }

    @Test
    void answersNotLeaderOnceARegistrationNamesAnotherLeader() {
        fx.registration = PartitionFixture.registration(List.of(1, 2), 1, EPOCH, 0);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> parked = testKit.createTestProbe();
        partition.tell(new Append(batch("a", 2, NOW), (short) -1, 30_000, parked.ref()));

        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(2), 2, EPOCH + 1, 1), null));

        assertThat(parked.receiveMessage().error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        AppendResponse append = fx.append(partition, batch("b", 1, NOW), 1);
        assertThat(append.error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(append.message()).contains("leader 2, epoch 6");
        assertThat(fx.read(partition, 0, -1).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(fx.read(partition, 0, EPOCH).error()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
        assertThat(fx.listOffsets(partition, -1).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(fx.deleteRecords(partition, -1).error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void leadsAgainWhenARegistrationNamesThisNode() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 2, NOW), 1);
        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(2), 2, EPOCH + 1, 1), null));
        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(1), 1, EPOCH + 2, 2), null));

        assertThat(fx.append(partition, batch("b", 1, NOW), -1).baseOffset()).isEqualTo(2);
        assertThat(fx.read(partition, 0, EPOCH + 2).highWatermark()).isEqualTo(3);
        assertThat(fx.listOffsets(partition, 1)).isEqualTo(new ListOffsetsResponse(TP, Errors.NONE, NOW, 0, EPOCH));
    }

    @Test
    void ignoresAStaleRegistration() {
        ActorRef<Command> partition = fx.spawn();
        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(2), 2, EPOCH - 1, 9), null));
        assertThat(fx.append(partition, batch("a", 1, NOW), 1).error()).isEqualTo(Errors.NONE);
    }

    @Test
    void appliesANewConfigFromARegistrationUpdate() {
        ActorRef<Command> partition = fx.spawn();
        partition.tell(new UpdateRegistration(
                fx.registration,
                io.varve.storage.log.LogConfig.fromMap(
                        java.util.Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2"))));
        assertThat(fx.append(partition, batch("a", 1, NOW), -1).error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }

    @Test
    void stopThenReopenKeepsTheData() throws IOException {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 2, NOW), 1);
        fx.append(partition, batch("b", 1, NOW), 1);

        assertThat(stop(partition, false)).isEqualTo(new Stopped(TP));

        ActorRef<Command> reopened = fx.spawn();
        assertThat(offsetsAndValues(fx.read(reopened, 0, -1).slice())).containsExactly("0:a-0", "1:a-1", "2:b-0");
        assertThat(fx.append(reopened, batch("c", 1, NOW), 1).baseOffset()).isEqualTo(3);
        Path metadata = fx.logDirectory.partitionDir(TP).resolve(PartitionMetadataFile.FILE_NAME);
        assertThat(new PartitionMetadataFile(metadata).read()).contains(TOPIC_ID);
    }

    @Test
    void stopWithDeleteLogRemovesThePartitionDirectory() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 2, NOW), 1);
        Path dir = fx.logDirectory.partitionDir(TP);
        assertThat(Files.isDirectory(dir)).isTrue();

        stop(partition, true);

        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void retentionTimerDeletesAnOldSegment() {
        fx.with(TopicConfig.RETENTION_MS_CONFIG, HOUR_MS).with(TopicConfig.SEGMENT_MS_CONFIG, HOUR_MS);
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("old", 2, NOW - 2 * HOUR_MS), 1);
        // two hours newer than the first batch: rolls a new segment at offset 2
        fx.append(partition, batch("new", 1, NOW), 1);
        Path dir = fx.logDirectory.partitionDir(TP);
        assertThat(dir.resolve("00000000000000000002.log")).exists();
        assertThat(fx.describe(partition).logStartOffset()).isZero();
        // the rolled segment is flushed off the actor, then the recovery point moves to the roll
        TestProbe<LogDescription> probe = testKit.createTestProbe();
        probe.awaitAssert(
                () -> assertThat(fx.describe(partition).recoveryPoint()).isEqualTo(2));

        manualTime.timePasses(PartitionFixture.SETTINGS.retentionCheckInterval());

        LogDescription after = fx.describe(partition);
        assertThat(after.logStartOffset()).isEqualTo(2);
        assertThat(after.logEndOffset()).isEqualTo(3);
        assertThat(dir.resolve("00000000000000000000.log")).doesNotExist();
        assertThat(dir.resolve("00000000000000000000.log.deleted")).exists();
        assertThat(fx.read(partition, 0, -1).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(offsetsAndValues(fx.read(partition, 2, -1).slice())).containsExactly("2:new-0");
    }

    @Test
    void aLogThatCannotBeOpenedAnswersKafkaStorageError() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 1, NOW), 1);
        stop(partition, false);

        fx.topicId = new Uuid(99L, 99L);
        ActorRef<Command> otherTopic = fx.spawn();

        assertThat(fx.append(otherTopic, batch("b", 1, NOW), 1).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(fx.read(otherTopic, 0, -1).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(fx.listOffsets(otherTopic, -1).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(fx.describe(otherTopic).offline()).isTrue();
    }

    @Test
    void acksAllParkedAtStopAreAnswered() {
        fx.registration = PartitionFixture.registration(List.of(1, 2), 1, EPOCH, 0);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> parked = testKit.createTestProbe();
        partition.tell(new Append(batch("a", 2, NOW), (short) -1, 30_000, parked.ref()));

        stop(partition, false);

        assertThat(parked.receiveMessage().error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        manualTime.timePasses(Duration.ofSeconds(30));
        parked.expectNoMessage(Duration.ofMillis(50));
    }
}
