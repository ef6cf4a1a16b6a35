package io.varve.partition;

import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static io.varve.partition.PartitionFixture.transactional;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Append;
import io.varve.partition.PartitionActor.AppendResponse;
import io.varve.partition.PartitionActor.AwaitData;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.ListOffsets;
import io.varve.partition.PartitionActor.ListOffsetsResponse;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.TxnVerification;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.storage.index.AbortedTxn;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of transactions: coordinator markers, the last stable offset for read_committed
 * reads, ListOffsets and long polls, and KIP-890 verification of transactional appends.
 */
class PartitionActorTransactionsTest extends PartitionActorTestBase {
    private static final long NOW = System.currentTimeMillis();
    private static final long PID = 77L;
    private static final String TXN_ID = "txn-a";

    private final List<String> verifications = new CopyOnWriteArrayList<>();
    private CompletableFuture<Errors> coordinatorAnswer = CompletableFuture.completedFuture(Errors.NONE);

    @BeforeEach
    void start() {
        // a coordinator whose answer each test controls, recording every question it is asked
        fx.verifier = (transactionalId, producerId, epoch, tp, add) -> {
            verifications.add(
                    transactionalId + "/" + producerId + "/" + epoch + "/" + tp + "/" + (add ? "add" : "verify"));
            return coordinatorAnswer;
        };
    }

    private AppendResponse appendTxn(ActorRef<Command> partition, MemoryRecords records, TxnVerification mode) {
        TestProbe<AppendResponse> probe = testKit.createTestProbe();
        partition.tell(new Append(records, (short) -1, 30_000, TXN_ID, mode, probe.ref()));
        return probe.receiveMessage();
    }

    private TxnMarkerWritten marker(ActorRef<Command> partition, short epoch, int coordinatorEpoch, boolean commit) {
        TestProbe<TxnMarkerWritten> probe = testKit.createTestProbe();
        partition.tell(new WriteTxnMarker(PID, epoch, coordinatorEpoch, commit, (short) 1, 30_000, probe.ref()));
        return probe.receiveMessage();
    }

    private ReadResponse readCommitted(ActorRef<Command> partition, long offset) {
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(new Read(offset, 1 << 20, true, true, -1, probe.ref()));
        return probe.receiveMessage();
    }

    @Test
    void readCommittedEndsAtTheLastStableOffsetAndReportsAborts() {
        ActorRef<Command> partition = fx.spawn();
        appendTxn(partition, transactional(PID, (short) 0, 0, "t", 2, NOW), TxnVerification.DEFAULT_ERROR); // 0..1
        fx.append(partition, batch("p", 1, NOW), 1); // 2

        ReadResponse open = readCommitted(partition, 0);
        assertThat(open.lastStableOffset()).isZero();
        assertThat(open.highWatermark()).isEqualTo(3);
        assertThat(open.slice().isEmpty()).isTrue();
        assertThat(offsetsAndValues(fx.read(partition, 0, -1).slice())).containsExactly("0:t-0", "1:t-1", "2:p-0");

        assertThat(marker(partition, (short) 0, 3, false).error()).isEqualTo(Errors.NONE); // abort at 3

        ReadResponse aborted = readCommitted(partition, 0);
        assertThat(aborted.lastStableOffset()).isEqualTo(4);
        assertThat(aborted.abortedTransactions()).containsExactly(new AbortedTxn(PID, 0, 3, 4));
        assertThat(offsetsAndValues(aborted.slice())).startsWith("0:t-0", "1:t-1", "2:p-0");
        assertThat(readCommitted(partition, 4).abortedTransactions()).isEmpty();
    }

    @Test
    void markersOfAnOlderCoordinatorOrEpochAreRefused() {
        ActorRef<Command> partition = fx.spawn();
        appendTxn(partition, transactional(PID, (short) 2, 0, "t", 1, NOW), TxnVerification.DEFAULT_ERROR);
        assertThat(marker(partition, (short) 2, 5, true).error()).isEqualTo(Errors.NONE);

        assertThat(marker(partition, (short) 2, 4, true).error()).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(marker(partition, (short) 1, 5, true).error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(fx.describe(partition).logEndOffset()).isEqualTo(2);
    }

    @Test
    void latestOffsetUnderReadCommittedIsTheLastStableOffset() {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("p", 2, NOW), 1);
        appendTxn(partition, transactional(PID, (short) 0, 0, "t", 3, NOW), TxnVerification.DEFAULT_ERROR);

        TestProbe<ListOffsetsResponse> probe = testKit.createTestProbe();
        partition.tell(new ListOffsets(-1, true, -1, probe.ref()));
        assertThat(probe.receiveMessage().offset()).isEqualTo(2);
        partition.tell(new ListOffsets(-1, false, -1, probe.ref()));
        assertThat(probe.receiveMessage().offset()).isEqualTo(5);
        marker(partition, (short) 0, 0, true);
        partition.tell(new ListOffsets(-1, true, -1, probe.ref()));
        assertThat(probe.receiveMessage().offset()).isEqualTo(6);
    }

    @Test
    void readCommittedLongPollWakesWhenTheMarkerMovesTheLastStableOffset() {
        ActorRef<Command> partition = fx.spawn();
        appendTxn(partition, transactional(PID, (short) 0, 0, "t", 2, NOW), TxnVerification.DEFAULT_ERROR); // 0..1
        TestProbe<ReadResponse> committed = testKit.createTestProbe();
        TestProbe<ReadResponse> uncommitted = testKit.createTestProbe();

        // the high watermark (2) is past offset 0, the last stable offset (0) is not
        partition.tell(longPoll(0, true, committed));
        partition.tell(longPoll(2, false, uncommitted));
        fx.describe(partition);
        committed.expectNoMessage(Duration.ofMillis(200));
        uncommitted.expectNoMessage(Duration.ZERO);

        marker(partition, (short) 0, 0, true); // commit marker at 2
        ReadResponse stable = committed.receiveMessage();
        assertThat(stable.error()).isEqualTo(Errors.NONE);
        assertThat(stable.lastStableOffset()).isEqualTo(3);
        assertThat(stable.abortedTransactions()).isEmpty();
        assertThat(offsetsAndValues(stable.slice())).startsWith("0:t-0", "1:t-1");
        ReadResponse marker = uncommitted.receiveMessage();
        assertThat(marker.error()).isEqualTo(Errors.NONE);
        assertThat(marker.highWatermark()).isEqualTo(3);
        assertThat(marker.slice().firstBatchOffset()).isEqualTo(2);
        marker.slice().release();
    }

    /** A long poll from {@code offset} waiting for data past it; a long max wait, so only data answers it. */
    private static AwaitData longPoll(long offset, boolean readCommitted, TestProbe<ReadResponse> probe) {
        return new AwaitData(
                new Read(offset, 1 << 20, readCommitted, true, -1, probe.ref()), offset, 60_000, () -> false);
    }

    @Test
    void firstBatchWaitsForTheCoordinatorAndTheProducersLaterBatchesQueueBehindIt() {
        coordinatorAnswer = new CompletableFuture<>();
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> first = testKit.createTestProbe();
        TestProbe<AppendResponse> second = testKit.createTestProbe();

        partition.tell(new Append(
                transactional(PID, (short) 0, 0, "a", 2, NOW),
                (short) -1,
                30_000,
                TXN_ID,
                TxnVerification.GENERIC_ERROR_SUPPORTED,
                first.ref()));
        partition.tell(new Append(
                transactional(PID, (short) 0, 2, "b", 1, NOW),
                (short) -1,
                30_000,
                TXN_ID,
                TxnVerification.GENERIC_ERROR_SUPPORTED,
                second.ref()));
        fx.describe(partition);
        first.expectNoMessage(Duration.ofMillis(100));
        assertThat(fx.describe(partition).logEndOffset()).isZero();

        coordinatorAnswer.complete(Errors.NONE);

        assertThat(first.receiveMessage().baseOffset()).isZero();
        assertThat(second.receiveMessage().baseOffset()).isEqualTo(2);
        assertThat(verifications).containsExactly(TXN_ID + "/" + PID + "/0/" + TP + "/verify");
    }

    @Test
    void partitionNotInTheTransactionIsRefusedWithTheErrorTheProduceVersionKnows() {
        coordinatorAnswer = CompletableFuture.completedFuture(Errors.TRANSACTION_ABORTABLE);
        ActorRef<Command> partition = fx.spawn();

        AppendResponse v11 = appendTxn(
                partition, transactional(PID, (short) 0, 0, "a", 1, NOW), TxnVerification.GENERIC_ERROR_SUPPORTED);
        AppendResponse v10 =
                appendTxn(partition, transactional(PID, (short) 0, 0, "a", 1, NOW), TxnVerification.DEFAULT_ERROR);

        assertThat(v11.error()).isEqualTo(Errors.TRANSACTION_ABORTABLE);
        assertThat(v10.error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(fx.describe(partition).logEndOffset()).isZero();
    }

    @Test
    void unreachableCoordinatorIsNotEnoughReplicasSoTheProducerRetries() {
        coordinatorAnswer = CompletableFuture.completedFuture(Errors.COORDINATOR_NOT_AVAILABLE);
        ActorRef<Command> partition = fx.spawn();

        AppendResponse response =
                appendTxn(partition, transactional(PID, (short) 0, 0, "a", 1, NOW), TxnVerification.ADD_PARTITION);

        assertThat(response.error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        assertThat(verifications).containsExactly(TXN_ID + "/" + PID + "/0/" + TP + "/add");
    }

    @Test
    void markerWrittenWhileTheCheckIsInFlightVoidsIt() {
        coordinatorAnswer = new CompletableFuture<>();
        ActorRef<Command> partition = fx.spawn();
        TestProbe<AppendResponse> late = testKit.createTestProbe();
        partition.tell(new Append(
                transactional(PID, (short) 0, 0, "late", 1, NOW),
                (short) -1,
                30_000,
                TXN_ID,
                TxnVerification.GENERIC_ERROR_SUPPORTED,
                late.ref()));

        assertThat(marker(partition, (short) 0, 0, false).error()).isEqualTo(Errors.NONE); // timed-out abort
        coordinatorAnswer.complete(Errors.NONE);

        assertThat(late.receiveMessage().error()).isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(fx.describe(partition).logEndOffset()).isEqualTo(1); // the marker only
    }

    @Test
    void transactionVersionTwoStartsAtSequenceZeroAndIsNotCheckedAgainWhileOpen() {
        ActorRef<Command> partition = fx.spawn();

        AppendResponse gap =
                appendTxn(partition, transactional(PID, (short) 0, 3, "a", 1, NOW), TxnVerification.ADD_PARTITION);
        AppendResponse first =
                appendTxn(partition, transactional(PID, (short) 0, 0, "a", 1, NOW), TxnVerification.ADD_PARTITION);
        AppendResponse second =
                appendTxn(partition, transactional(PID, (short) 0, 1, "b", 1, NOW), TxnVerification.ADD_PARTITION);

        assertThat(gap.error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(first.error()).isEqualTo(Errors.NONE);
        assertThat(second.baseOffset()).isEqualTo(1);
        assertThat(verifications).hasSize(2);
    }
}
