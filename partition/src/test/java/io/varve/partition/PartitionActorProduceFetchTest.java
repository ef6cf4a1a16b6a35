package io.varve.partition;

import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.DescribeProducers;
import io.varve.partition.PartitionActor.ProducerState;
import io.varve.partition.PartitionActor.ProducersResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.UpdateRegistration;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PartitionActorProduceFetchTest extends PartitionActorTestBase {
    private static final long NOW = System.currentTimeMillis();

    private ManualTime manualTime;

    @Override
    ActorTestKit createTestKit() {
        return ActorTestKit.create(ManualTime.config());
    }

    @BeforeEach
    void start() {
        manualTime = ManualTime.get(testKit.system());
    }

    @Test
    void appendsAndReadsExactRecordsAndOffsets() {
        ActorRef<Command> partition = fx.spawn();

        AppendResponse first = fx.append(partition, batch("a", 3, NOW), 1);
        AppendResponse second = fx.append(partition, batch("b", 2, NOW), 1);

        assertThat(first).isEqualTo(new AppendResponse(TP, Errors.NONE, null, 0, -1, 0));
        assertThat(second).isEqualTo(new AppendResponse(TP, Errors.NONE, null, 3, -1, 0));
        ReadResponse read = fx.read(partition, 0, -1);
        assertThat(read.error()).isEqualTo(Errors.NONE);
        assertThat(offsetsAndValues(read.slice())).containsExactly("0:a-0", "1:a-1", "2:a-2", "3:b-0", "4:b-1");
        assertThat(read.highWatermark()).isEqualTo(5);
        assertThat(read.lastStableOffset()).isEqualTo(5);
        assertThat(read.logStartOffset()).isZero();
        assertThat(read.abortedTransactions()).isEmpty();
        assertThat(offsetsAndValues(fx.read(partition, 3, -1).slice())).containsExactly("3:b-0", "4:b-1");
        assertThat(fx.read(partition, 5, -1).slice().isEmpty()).isTrue();
        assertThat(fx.read(partition, 6, -1).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void logAppendTimeTopicAnswersTheBrokerTimestamp() {
        fx.with(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
        ActorRef<Command> partition = fx.spawn();
        AppendResponse response = fx.append(partition, batch("a", 1, 1_000L), 1);
        assertThat(response.error()).isEqualTo(Errors.NONE);
        assertThat(response.logAppendTimeMs()).isGreaterThanOrEqualTo(NOW);
    }

    @Test
    void acksAllIsAnsweredAtOnceWithASingleReplicaIsr() {
        ActorRef<Command> partition = fx.spawn();
        assertThat(fx.append(partition, batch("a", 2, NOW), -1))
                .isEqualTo(new AppendResponse(TP, Errors.NONE, null, 0, -1, 0));
        assertThat(fx.append(partition, batch("b", 1, NOW), -1).baseOffset()).isEqualTo(2);
        assertThat(fx.read(partition, 0, -1).highWatermark()).isEqualTo(3);
    }

    @Test
    void acksAllBelowMinInsyncReplicasIsRejectedWithoutAppending() {
        fx.with(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, 2);
        ActorRef<Command> partition = fx.spawn();

        AppendResponse rejected = fx.append(partition, batch("a", 2, NOW), -1);
        assertThat(rejected.error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(rejected.message()).contains("min.insync.replicas 2");
        assertThat(fx.append(partition, batch("b", 1, NOW), 1).baseOffset()).isZero();
    }

    @Test
    void acksAllWaitsForTheIsrAndTimesOut() {
        fx.registration = PartitionFixture.registration(List.of(1, 2), 1, 5, 0);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> probe = testKit.createTestProbe();

        partition.tell(new Append(batch("a", 2, NOW), (short) -1, 1_000, probe.ref()));
        assertThat(fx.describe(partition).logEndOffset()).isEqualTo(2);
        probe.expectNoMessage(Duration.ofMillis(50));
        // follower 2 never fetched: nothing is committed, so nothing is readable
        assertThat(fx.read(partition, 0, -1).highWatermark()).isZero();
        assertThat(fx.read(partition, 0, -1).slice().isEmpty()).isTrue();

        manualTime.timePasses(Duration.ofMillis(1_000));
        AppendResponse timedOut = probe.receiveMessage();
        assertThat(timedOut.error()).isEqualTo(Errors.REQUEST_TIMED_OUT);
        assertThat(timedOut.message()).contains("high watermark 0, needed 2");
    }

    @Test
    void acksAllIsAnsweredWhenTheIsrShrinksToTheLeader() {
        fx.registration = PartitionFixture.registration(List.of(1, 2), 1, 5, 0);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> probe = testKit.createTestProbe();
        partition.tell(new Append(batch("a", 2, NOW), (short) -1, 30_000, probe.ref()));
        fx.describe(partition);
        probe.expectNoMessage(Duration.ofMillis(50));

        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(1), 1, 5, 1), null));

        assertThat(probe.receiveMessage()).isEqualTo(new AppendResponse(TP, Errors.NONE, null, 0, -1, 0));
        assertThat(fx.read(partition, 0, -1).highWatermark()).isEqualTo(2);
        manualTime.timePasses(Duration.ofSeconds(30));
        probe.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void longPollIsAnsweredWithTheDataInOneMessage() {
        ActorRef<Command> partition = fx.spawn();
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(await(0, 0, probe, () -> false));
        fx.describe(partition);
        probe.expectNoMessage(Duration.ofMillis(50));

        fx.append(partition, batch("a", 2, NOW), 1);

        ReadResponse woken = probe.receiveMessage();
        assertThat(woken.error()).isEqualTo(Errors.NONE);
        assertThat(woken.highWatermark()).isEqualTo(2);
        assertThat(offsetsAndValues(woken.slice())).containsExactly("0:a-0", "1:a-1");

        // data past what the fetch saw is already there: answered at once
        partition.tell(await(0, 1, probe, () -> false));
        assertThat(offsetsAndValues(probe.receiveMessage().slice())).containsExactly("0:a-0", "1:a-1");

        partition.tell(await(2, 2, probe, () -> false));
        fx.describe(partition);
        probe.expectNoMessage(Duration.ofMillis(50));
        fx.append(partition, batch("b", 1, NOW), 1);
        assertThat(offsetsAndValues(probe.receiveMessage().slice())).containsExactly("2:b-0");
    }

    @Test
    void anIdlePartitionHoldsNoLongPollsAfterManyPolls() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 2, NOW), 1);
        TestProbe<ReadResponse> probe = testKit.createTestProbe();

        // a consumer long-polling an idle partition: each poll's fetch gives up at its max wait
        for (int poll = 0; poll < 100; poll++) {
            AtomicBoolean fetchCompleted = new AtomicBoolean();
            partition.tell(await(2, 2, probe, fetchCompleted::get));
            assertThat(countWaiters(partition)).isEqualTo(1);
            fetchCompleted.set(true);
        }
        assertThat(countWaiters(partition)).isEqualTo(1);
        manualTime.timePasses(Duration.ofMillis(500));
        assertThat(countWaiters(partition)).isZero();

        // nobody is answered for a fetch that already answered
        fx.append(partition, batch("b", 1, NOW), 1);
        probe.expectNoMessage(Duration.ofMillis(50));
    }

    @Test
    void aLongPollIsDroppedWithinTwiceItsMaxWaitEvenIfItsFetchNeverSaysSo() {
        ActorRef<Command> partition = fx.spawn();
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(await(0, 0, probe, () -> false));
        assertThat(countWaiters(partition)).isEqualTo(1);

        manualTime.timePasses(Duration.ofMillis(500));
        assertThat(countWaiters(partition)).isEqualTo(1);
        manualTime.timePasses(Duration.ofMillis(500));
        assertThat(countWaiters(partition)).isZero();
    }

    @Test
    void longPollsParkedWhenLeadershipMovesAreAnsweredNotLeader() {
        ActorRef<Command> partition = fx.spawn();
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(await(0, 0, probe, () -> false));
        fx.describe(partition);

        partition.tell(new UpdateRegistration(PartitionFixture.registration(List.of(2), 2, 6, 1), null));

        ReadResponse answer = probe.receiveMessage();
        assertThat(answer.error()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        assertThat(answer.slice()).isNull();
        assertThat(countWaiters(partition)).isZero();
    }

    /** A fetch's long poll from {@code fetchOffset}, for data past {@code awaitOffset}, max wait 500 ms. */
    private static AwaitData await(
            long fetchOffset, long awaitOffset, TestProbe<ReadResponse> probe, BooleanSupplier fetchCompleted) {
        return new AwaitData(
                new Read(fetchOffset, 1 << 20, false, true, -1, probe.ref()), awaitOffset, 500, fetchCompleted);
    }

    private int countWaiters(ActorRef<Command> partition) {
        TestProbe<Integer> probe = testKit.createTestProbe();
        partition.tell(new PartitionActor.CountFetchWaiters(probe.ref()));
        return probe.receiveMessage();
    }

    @Test
    void corruptBatchIsRejectedAndTheNextAppendStillWorks() {
        ActorRef<Command> partition = fx.spawn();
        MemoryRecords corrupt = batch("a", 2, NOW);
        ByteBuffer bytes = corrupt.buffer();
        int last = bytes.limit() - 1;
        bytes.put(last, (byte) (bytes.get(last) ^ 0x5a));

        AppendResponse rejected = fx.append(partition, corrupt, 1);

        assertThat(rejected.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(fx.append(partition, batch("b", 2, NOW), 1).baseOffset()).isZero();
        assertThat(offsetsAndValues(fx.read(partition, 0, -1).slice())).containsExactly("0:b-0", "1:b-1");
    }

    @Test
    void invalidAcksAreRejected() {
        ActorRef<Command> partition = fx.spawn();
        assertThat(fx.append(partition, batch("a", 1, NOW), 2).error()).isEqualTo(Errors.INVALID_REQUIRED_ACKS);
    }

    @Test
    void describesIdempotentProducers() {
        ActorRef<Command> partition = fx.spawn();
        MemoryRecords idempotent = MemoryRecords.withIdempotentRecords(
                Compression.NONE, 4_000L, (short) 2, 0, PartitionFixture.records("a", 3, NOW));
        assertThat(fx.append(partition, idempotent, -1).baseOffset()).isZero();

        TestProbe<ProducersResponse> probe = testKit.createTestProbe();
        partition.tell(new DescribeProducers(probe.ref()));

        assertThat(probe.receiveMessage())
                .isEqualTo(
                        new ProducersResponse(TP, Errors.NONE, List.of(new ProducerState(4_000L, 2, 2, NOW, -1, -1L))));
    }
}
