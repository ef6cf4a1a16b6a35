package io.varve.storage.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Open and completed transactions in the producer state: first unstable offset, markers, fencing. */
class ProducerTransactionsTest {
    private static final long PID_A = 1000L;
    private static final long PID_B = 2000L;

    @TempDir
    Path tempDir;

    private ProducerLogFixture log;

    @BeforeEach
    void setUp() throws IOException {
        log = new ProducerLogFixture(tempDir);
    }

    @Test
    void firstTransactionalBatchOpensATransactionAtItsOffset() {
        log.append(PID_A, 0, 0, 3); // idempotent, offsets 0..2
        log.appendTransactional(PID_A, 0, 3, 2); // 3..4
        log.appendTransactional(PID_A, 0, 5, 2); // 5..6, same transaction

        assertEquals(OptionalLong.of(3L), log.entry(PID_A).currentTxnFirstOffset());
        assertEquals(OptionalLong.of(3L), log.table.firstUnstableOffset());
        assertEquals(Map.of(3L, PID_A), log.table.ongoingTransactions());
        assertTrue(log.table.hasOngoingTransaction(PID_A, (short) 0));
        assertFalse(log.table.hasOngoingTransaction(PID_A, (short) 1));
    }

    @Test
    void markerEndsTheTransactionWhichStaysUnstableUntilTheHighWatermarkPassesIt() {
        log.appendTransactional(PID_A, 0, 0, 2); // 0..1
        Optional<CompletedTxn> ended = log.marker(PID_A, 0, 5, false); // commit at 2

        assertEquals(Optional.of(new CompletedTxn(PID_A, 0, 2, false)), ended);
        assertEquals(OptionalLong.empty(), log.entry(PID_A).currentTxnFirstOffset());
        assertEquals(5, log.entry(PID_A).coordinatorEpoch());
        assertEquals(OptionalLong.of(0L), log.table.firstUnstableOffset());

        log.table.onHighWatermarkUpdated(2);
        assertEquals(OptionalLong.of(0L), log.table.firstUnstableOffset());
        log.table.onHighWatermarkUpdated(3);
        assertEquals(OptionalLong.empty(), log.table.firstUnstableOffset());
    }

    @Test
    void firstUnstableOffsetIsTheOldestOpenOrUnreplicatedTransaction() {
        log.appendTransactional(PID_A, 0, 0, 2); // A opens at 0
        log.appendTransactional(PID_B, 0, 0, 2); // B opens at 2
        log.marker(PID_A, 0, 0, true); // A aborted at 4, not replicated

        assertEquals(OptionalLong.of(0L), log.table.firstUnstableOffset());
        log.table.onHighWatermarkUpdated(5);
        assertEquals(OptionalLong.of(2L), log.table.firstUnstableOffset());
        log.marker(PID_B, 0, 0, false);
        log.table.onHighWatermarkUpdated(6);
        assertEquals(OptionalLong.empty(), log.table.firstUnstableOffset());
    }

    @Test
    void lastStableOffsetOfAnAbortIsTheNextOpenTransactionOfAnotherProducer() {
        log.appendTransactional(PID_A, 0, 0, 2); // A at 0..1
        log.appendTransactional(PID_B, 0, 0, 2); // B at 2..3
        ProducerAppend abort = log.table.startAppend();
        CompletedTxn txn =
                abort.stageMarker(PID_A, (short) 0, 0, 4, log.nowMs.get(), true).orElseThrow();
        log.logEndOffset++;
        log.commit(abort);

        assertEquals(2L, log.table.lastStableOffset(txn));
        log.table.completeTxn(txn);

        CompletedTxn alone = log.marker(PID_B, 0, 0, true).orElseThrow();
        assertEquals(new CompletedTxn(PID_B, 2, 5, true), alone);
    }

    @Test
    void lastStableOffsetWithNoOtherOpenTransactionIsPastTheMarker() {
        log.appendTransactional(PID_A, 0, 0, 2);
        ProducerAppend abort = log.table.startAppend();
        CompletedTxn txn =
                abort.stageMarker(PID_A, (short) 0, 0, 2, log.nowMs.get(), true).orElseThrow();
        log.commit(abort);

        assertEquals(3L, log.table.lastStableOffset(txn));
    }

    @Test
    void markerWithoutAnOpenTransactionEndsNothingButRecordsTheEpochs() {
        Optional<CompletedTxn> ended = log.marker(PID_A, 3, 7, false);

        assertEquals(Optional.empty(), ended);
        assertEquals((short) 3, log.entry(PID_A).producerEpoch());
        assertEquals(7, log.entry(PID_A).coordinatorEpoch());
        assertEquals(OptionalLong.empty(), log.table.firstUnstableOffset());
    }

    @Test
    void olderCoordinatorEpochIsFenced() {
        log.appendTransactional(PID_A, 0, 0, 1);
        log.marker(PID_A, 0, 4, false);
        log.appendTransactional(PID_A, 0, 1, 1);

        ProducerCheck zombie = log.table.startAppend().checkMarker(PID_A, (short) 0, 3, (short) 0);
        assertEquals(Errors.TRANSACTION_COORDINATOR_FENCED, ((ProducerCheck.Rejected) zombie).error());
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().checkMarker(PID_A, (short) 0, 4, (short) 0));
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().checkMarker(PID_A, (short) 0, 5, (short) 0));
    }

    @Test
    void markerEpochRulesOfTransactionVersionsOneAndTwo() {
        log.appendTransactional(PID_A, 2, 0, 1); // open at epoch 2

        // before version 2 the marker carries the data's epoch; an older one is refused
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().checkMarker(PID_A, (short) 2, 0, (short) 1));
        assertRejected(
                Errors.INVALID_PRODUCER_EPOCH, log.table.startAppend().checkMarker(PID_A, (short) 1, 0, (short) 1));
        // version 2 bumps the epoch with every marker: the data's own epoch is too old while open
        assertRejected(
                Errors.INVALID_PRODUCER_EPOCH, log.table.startAppend().checkMarker(PID_A, (short) 2, 0, (short) 2));
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().checkMarker(PID_A, (short) 3, 0, (short) 2));

        log.marker(PID_A, 3, 0, false);
        // a retried version-2 marker (same bumped epoch, nothing open) is accepted again
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().checkMarker(PID_A, (short) 3, 0, (short) 2));
        assertEquals((short) 3, log.entry(PID_A).producerEpoch());
    }

    @Test
    void nonTransactionalWriteDuringAnOpenTransactionIsInvalidTxnState() {
        log.appendTransactional(PID_A, 0, 0, 2);

        ProducerCheck check = log.table.startAppend().check(PID_A, (short) 0, 2, 2, false);
        assertRejected(Errors.INVALID_TXN_STATE, check);
        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().check(PID_A, (short) 0, 2, 2, true));
    }

    @Test
    void bumpedEpochAfterAVersionTwoMarkerStartsAtSequenceZero() {
        log.appendTransactional(PID_A, 0, 0, 5);
        log.marker(PID_A, 1, 0, false);

        assertEquals(ProducerCheck.ACCEPTED, log.table.startAppend().check(PID_A, (short) 1, 0, 0, true));
        assertRejected(Errors.INVALID_PRODUCER_EPOCH, log.table.startAppend().check(PID_A, (short) 0, 5, 5, true));
    }

    @Test
    void openTransactionsSurviveASnapshotReload() throws IOException {
        log.appendTransactional(PID_A, 0, 0, 2); // open at 0
        log.append(PID_B, 0, 0, 1);
        log.table.takeSnapshot();

        ProducerStateTable reloaded = log.newTable();
        reloaded.truncateAndReload(0, log.logEndOffset);

        assertEquals(Map.of(0L, PID_A), reloaded.ongoingTransactions());
        assertEquals(OptionalLong.of(0L), reloaded.firstUnstableOffset());
    }

    @Test
    void truncateFullyForgetsTransactions() throws IOException {
        log.appendTransactional(PID_A, 0, 0, 2);

        log.table.truncateFullyAndStartAt(10);

        assertEquals(OptionalLong.empty(), log.table.firstUnstableOffset());
        assertEquals(Map.of(), log.table.ongoingTransactions());
    }

    @Test
    void logStartPastTheMarkerMakesAnUnreplicatedTransactionStable() {
        log.appendTransactional(PID_A, 0, 0, 2);
        log.marker(PID_A, 0, 0, false); // at 2

        log.table.onLogStartOffsetIncremented(3);

        assertEquals(OptionalLong.empty(), log.table.firstUnstableOffset());
    }

    @Test
    void completingATransactionThatIsNotOpenIsABug() {
        assertThrows(IllegalStateException.class, () -> log.table.completeTxn(new CompletedTxn(PID_A, 0, 1, false)));
    }

    private static void assertRejected(Errors expected, ProducerCheck check) {
        assertTrue(check instanceof ProducerCheck.Rejected r && r.error() == expected, check::toString);
    }
}
