package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.index.AbortedTxn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions in the partition log: markers appended for the coordinator, the first unstable and
 * last stable offsets, the aborted-transaction index and what a read_committed fetch reports, and
 * all of it again after a crash, a clean restart and on a follower.
 */
class TransactionalLogTest {
    private static final long PID_A = 100L;
    private static final long PID_B = 200L;
    private static final int LEADER_EPOCH = 4;
    private static final short TV1 = 1;

    @TempDir
    Path root;

    private LogFixture fx;
    private PartitionLog log;

    private LogFixture open() throws IOException {
        fx = new LogFixture(root);
        log = fx.open();
        return fx;
    }

    private AppendResult.Appended txnBatch(long pid, int sequence, String prefix, int count) {
        AppendResult result = log.appendAsLeader(
                Batches.transactional(pid, (short) 0, sequence, prefix, count, fx.clock.millis()), LEADER_EPOCH);
        assertThat(result).isInstanceOf(AppendResult.Appended.class);
        return (AppendResult.Appended) result;
    }

    private AppendResult.Appended marker(long pid, boolean commit) {
        AppendResult result = log.appendTxnMarker(pid, (short) 0, 2, commit, LEADER_EPOCH, TV1);
        assertThat(result).isInstanceOf(AppendResult.Appended.class);
        return (AppendResult.Appended) result;
    }

    @Test
    void commitMarkerIsAControlBatchThatEndsTheTransaction() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 3); // 0..2
        assertThat(log.lastStableOffset(3)).isZero();

        AppendResult.Appended commit = marker(PID_A, true);

        assertThat(commit.firstOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(4);
        // unstable until the high watermark passes the marker
        assertThat(log.lastStableOffset(3)).isZero();
        log.onHighWatermarkUpdated(4);
        assertThat(log.firstUnstableOffset()).isEmpty();
        assertThat(log.lastStableOffset(4)).isEqualTo(4);

        RecordBatch control = lastBatch(log.readRecords(3, 1024, 4));
        assertThat(control.isControlBatch()).isTrue();
        assertThat(control.isTransactional()).isTrue();
        assertThat(control.producerId()).isEqualTo(PID_A);
        assertThat(control.partitionLeaderEpoch()).isEqualTo(LEADER_EPOCH);
        EndTransactionMarker endTxn = ProducerBatches.endTxnMarker(control).orElseThrow();
        assertThat(endTxn.controlType()).isEqualTo(ControlRecordType.COMMIT);
        assertThat(endTxn.coordinatorEpoch()).isEqualTo(2);
        assertThat(txnIndexEntries()).isEmpty();
    }

    @Test
    void abortsAreIndexedWithTheLastStableOffsetOfTheirTime() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 2); // A: 0..1
        txnBatch(PID_B, 0, "b", 2); // B: 2..3
        marker(PID_A, false); // abort A at 4 while B is open
        marker(PID_B, false); // abort B at 5

        assertThat(txnIndexEntries()).containsExactly(new AbortedTxn(PID_A, 0, 4, 2), new AbortedTxn(PID_B, 2, 5, 6));
    }

    @Test
    void lastStableOffsetStopsAtTheOldestOpenTransaction() throws IOException {
        open();
        fx.append("plain", 2); // 0..1
        txnBatch(PID_A, 0, "a", 2); // 2..3
        fx.append("plain", 2); // 4..5
        log.onHighWatermarkUpdated(6);

        assertThat(log.firstUnstableOffset()).isEqualTo(OptionalLong.of(2));
        assertThat(log.lastStableOffset(6)).isEqualTo(2);
        assertThat(log.lastStableOffset(1)).isEqualTo(1);
    }

    @Test
    void readCommittedFetchReportsTheAbortedTransactionsOfTheReturnedData() throws IOException {
        // every batch after the first indexed, so the offset index bounds a read exactly (as Kafka, the
        // bound comes from the index: with sparse entries it reaches further, which only reports more)
        fx = new LogFixture(root).with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 1);
        log = fx.open();
        txnBatch(PID_A, 0, "a", 2); // 0..1
        marker(PID_A, false); // 2
        txnBatch(PID_B, 0, "b", 2); // 3..4
        marker(PID_B, false); // 5
        txnBatch(PID_A, 2, "a", 1); // 6, a second transaction of A
        marker(PID_A, false); // 7
        log.onHighWatermarkUpdated(8);

        LogSlice all = ((ReadResult.Data) log.read(0, 1 << 20, 8, true)).slice();
        assertThat(log.abortedTransactions(0, all))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset)
                .containsExactly(tuple(PID_A, 0), tuple(PID_B, 3), tuple(PID_A, 6));

        LogSlice fromB = ((ReadResult.Data) log.read(3, 1 << 20, 8, true)).slice();
        assertThat(log.abortedTransactions(3, fromB))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset)
                .containsExactly(tuple(PID_B, 3), tuple(PID_A, 6));

        // one batch only: the range ends where the next batch starts (offset 2), A's first abort alone
        LogSlice first = ((ReadResult.Data) log.read(0, 1, 8, true)).slice();
        assertThat(log.abortedTransactions(0, first))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset)
                .containsExactly(tuple(PID_A, 0));
    }

    @Test
    void aReadCutInsideABatchByMaxBytesStillReportsItsAbortedTransactions() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 50); // 0..49
        marker(PID_A, false); // 50
        txnBatch(PID_B, 0, "b", 50); // 51..100
        marker(PID_B, false); // 101
        log.onHighWatermarkUpdated(102);
        ReadResult.Data whole = (ReadResult.Data) log.read(0, 1 << 20, 102, true);
        int firstBatchBytes = whole.slice().length() / 2;
        whole.slice().release();

        // the fetch's max bytes end the slice inside B's batch: no batch starts where the slice ends
        LogSlice cut = ((ReadResult.Data) log.read(0, firstBatchBytes, 102, false)).slice();
        assertThat(cut.length()).isEqualTo(firstBatchBytes);
        assertThat(log.abortedTransactions(0, cut))
                .extracting(AbortedTxn::producerId, AbortedTxn::firstOffset)
                .containsExactly(tuple(PID_A, 0), tuple(PID_B, 51));
        cut.release();
    }

    @Test
    void fencedAndStaleMarkersAreRefusedAndNothingIsAppended() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 1);
        assertThat(log.appendTxnMarker(PID_A, (short) 0, 5, true, LEADER_EPOCH, TV1))
                .isInstanceOf(AppendResult.Appended.class);
        txnBatch(PID_A, 1, "a", 1);
        long end = log.logEndOffset();

        AppendResult zombie = log.appendTxnMarker(PID_A, (short) 0, 4, false, LEADER_EPOCH, TV1);
        AppendResult oldEpoch = log.appendTxnMarker(PID_B, (short) 0, 9, false, LEADER_EPOCH, TV1);
        log.appendTxnMarker(PID_B, (short) 3, 9, false, LEADER_EPOCH, TV1); // B now at epoch 3
        AppendResult olderThanB = log.appendTxnMarker(PID_B, (short) 2, 9, false, LEADER_EPOCH, TV1);

        assertThat(((AppendResult.Rejected) zombie).error()).isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);
        assertThat(oldEpoch).isInstanceOf(AppendResult.Appended.class);
        assertThat(((AppendResult.Rejected) olderThanB).error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(log.logEndOffset()).isEqualTo(end + 2);
    }

    @Test
    void nonTransactionalWriteWhileTheTransactionIsOpenIsInvalidTxnState() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 1);

        AppendResult result = log.appendAsLeader(
                Batches.idempotent(
                        org.apache.kafka.common.compress.Compression.NONE,
                        PID_A,
                        (short) 0,
                        1,
                        "x",
                        1,
                        fx.clock.millis()),
                LEADER_EPOCH);

        assertThat(((AppendResult.Rejected) result).error()).isEqualTo(Errors.INVALID_TXN_STATE);
    }

    @Test
    void crashRecoveryRebuildsTheTxnIndexAndOpenTransactions() throws IOException {
        open();
        fx.with(TopicConfig.SEGMENT_BYTES_CONFIG, 1024 * 1024);
        txnBatch(PID_A, 0, "a", 2); // 0..1
        txnBatch(PID_B, 0, "b", 2); // 2..3
        marker(PID_A, false); // 4
        log.roll();
        txnBatch(PID_A, 2, "a", 1); // 5, A's second transaction, left open
        marker(PID_B, false); // 6
        List<AbortedTxn> before = txnIndexEntries();
        log.flush();
        for (Path index : files(".txnindex")) {
            Files.delete(index);
        }
        for (Path snapshot : files(".snapshot")) {
            Files.delete(snapshot);
        }

        log = fx.reopenAfterCrash(0);

        assertThat(before).containsExactly(new AbortedTxn(PID_A, 0, 4, 2), new AbortedTxn(PID_B, 2, 6, 5));
        assertThat(txnIndexEntries()).containsExactlyElementsOf(before);
        // replayed aborts count as unreplicated until the high watermark is known again
        assertThat(log.firstUnstableOffset()).isEqualTo(OptionalLong.of(0));
        log.onHighWatermarkUpdated(log.logEndOffset());
        assertThat(log.firstUnstableOffset()).isEqualTo(OptionalLong.of(5));
        assertThat(log.producerState().hasOngoingTransaction(PID_A, (short) 0)).isTrue();
    }

    @Test
    void cleanRestartKeepsOpenTransactionsAndTheIndex() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 2);
        marker(PID_A, false);
        txnBatch(PID_B, 0, "b", 1); // open at 3

        log = fx.reopenClean();

        assertThat(txnIndexEntries()).containsExactly(new AbortedTxn(PID_A, 0, 2, 3));
        assertThat(log.firstUnstableOffset()).isEqualTo(OptionalLong.of(3));
        AppendResult.Appended commit = marker(PID_B, true);
        assertThat(commit.firstOffset()).isEqualTo(4);
        log.onHighWatermarkUpdated(5);
        assertThat(log.firstUnstableOffset()).isEmpty();
    }

    @Test
    void followerReplaysMarkersFromTheLeader() throws IOException {
        open();
        txnBatch(PID_A, 0, "a", 2);
        txnBatch(PID_B, 0, "b", 2);
        marker(PID_A, false);
        txnBatch(PID_A, 2, "a", 1);
        MemoryRecords replicated = log.readRecords(0, 1 << 20, log.logEndOffset());
        List<AbortedTxn> leaderIndex = txnIndexEntries();

        LogFixture followerFx = new LogFixture(root.resolve("follower"));
        PartitionLog follower = followerFx.open();
        assertThat(follower.appendAsFollower(replicated)).isInstanceOf(AppendResult.Appended.class);

        assertThat(entriesOf(follower)).containsExactlyElementsOf(leaderIndex);
        assertThat(follower.firstUnstableOffset()).isEqualTo(OptionalLong.of(0));
        follower.onHighWatermarkUpdated(follower.logEndOffset());
        assertThat(follower.firstUnstableOffset()).isEqualTo(OptionalLong.of(2));
        assertThat(follower.producerState().ongoingTransactions()).containsOnlyKeys(2L, 5L);
        follower.close();
    }

    private static org.assertj.core.groups.Tuple tuple(long producerId, long firstOffset) {
        return org.assertj.core.groups.Tuple.tuple(producerId, firstOffset);
    }

    private List<AbortedTxn> txnIndexEntries() throws IOException {
        return entriesOf(log);
    }

    private static List<AbortedTxn> entriesOf(PartitionLog log) throws IOException {
        List<AbortedTxn> all = new ArrayList<>();
        for (LogSegment segment : log.segments()) {
            all.addAll(segment.txnIndex().allAbortedTxns());
        }
        return all;
    }

    private List<Path> files(String suffix) throws IOException {
        try (Stream<Path> listing = Files.list(fx.dir)) {
            return listing.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static RecordBatch lastBatch(MemoryRecords records) {
        RecordBatch last = null;
        for (RecordBatch batch : records.batches()) {
            last = batch;
        }
        return last;
    }
}
