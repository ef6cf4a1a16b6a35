package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.LogSlice;
import io.varve.storage.log.ReadResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner on a real partition log: what it keeps (Kafka's rules), at which offsets, with which batch
 * headers, and what it never touches.
 */
class CleanerTest {
    @TempDir
    Path root;

    @Test
    void keepsTheLatestRecordOfEachKeyAtItsOriginalOffset() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1", "b=1", "c=1"); // 0..2
        c.put("a=2", "b=2"); // 3..4
        c.roll();
        c.put("c=2", "d=1"); // 5..6
        c.put("a=3"); // 7
        c.roll();
        c.put("b=3", "a=4"); // 8..9, active segment

        CleaningResult result = c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(result.endOffset()).isEqualTo(8);
        assertThat(c.records()).containsExactly("4:b=2", "5:c=2", "6:d=1", "7:a=3", "8:b=3", "9:a=4");
        assertThat(c.log.logStartOffset()).isZero();
        assertThat(c.log.logEndOffset()).isEqualTo(10);
        assertThat(result.stats().recordsRead()).isEqualTo(8);
        assertThat(result.stats().recordsWritten()).isEqualTo(4);
    }

    @Test
    void theActiveSegmentIsNeverCleaned() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1");
        c.roll();
        c.put("a=2", "a=3", "a=4");

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactly("0:a=1", "1:a=2", "2:a=3", "3:a=4");
    }

    @Test
    void aBatchWhoseRecordsAllStayIsCopiedByteForByteAndAFilteredOneKeepsItsHeader() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.append(c.batch(Compression.lz4().build(), 77L, (short) 3, 0, "a=1", "b=1", "c=1"));
        c.clock.advance(5);
        c.append(c.batch(Compression.NONE, 77L, (short) 3, 3, "d=1", "e=1"));
        c.clock.advance(5);
        c.put("b=2");
        c.roll();
        c.put("z=1");
        List<RecordBatch> before = c.batches();

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        List<RecordBatch> after = c.batches();
        assertThat(c.records()).containsExactly("0:a=1", "2:c=1", "3:d=1", "4:e=1", "5:b=2", "6:z=1");
        RecordBatch filtered = after.get(0);
        RecordBatch original = before.get(0);
        assertThat(filtered.baseOffset()).isEqualTo(original.baseOffset());
        assertThat(filtered.lastOffset()).isEqualTo(original.lastOffset());
        assertThat(filtered.producerId()).isEqualTo(77L);
        assertThat(filtered.producerEpoch()).isEqualTo((short) 3);
        assertThat(filtered.baseSequence()).isZero();
        assertThat(filtered.lastSequence()).isEqualTo(2);
        assertThat(filtered.partitionLeaderEpoch()).isEqualTo(7);
        assertThat(filtered.compressionType()).isEqualTo(CompressionType.LZ4);
        assertThat(filtered.maxTimestamp()).isEqualTo(original.maxTimestamp());
        assertThat(filtered.countOrNull()).isEqualTo(2);
        filtered.ensureValid();
        assertThat(after.get(1).checksum()).isEqualTo(before.get(1).checksum());
        assertThat(after.get(1).sizeInBytes()).isEqualTo(before.get(1).sizeInBytes());
    }

    @Test
    void aTombstoneStaysForDeleteRetentionAfterItsFirstCleaningThenGoes() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.DELETE_RETENTION_MS_CONFIG, 60_000)
                .open();
        c.put("a=1", "b=1");
        c.put("a="); // 2: tombstone of a
        c.roll();
        c.put("c=1");
        Cleaner cleaner = CompactedLog.cleaner();

        CleaningResult first = c.clean(cleaner, CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactly("1:b=1", "2:a=∅", "3:c=1");
        RecordBatch tombstoneBatch = c.batches().get(1);
        assertThat(tombstoneBatch.deleteHorizonMs()).hasValue(c.clock.millis() + 60_000);
        assertThat(tombstoneBatch.maxTimestamp()).isEqualTo(CompactedLog.START_MS);

        c.clock.advance(59_999);
        c.roll();
        c.put("d=1");
        CleaningResult second = c.clean(cleaner, first.endOffset());
        assertThat(c.records()).as("one ms before the horizon").containsExactly("1:b=1", "2:a=∅", "3:c=1", "4:d=1");

        c.clock.advance(1);
        c.roll();
        c.put("e=1");
        c.clean(cleaner, second.endOffset());
        assertThat(c.records()).as("at the horizon").containsExactly("1:b=1", "3:c=1", "4:d=1", "5:e=1");
    }

    @Test
    void minCompactionLagKeepsYoungSegmentsDirty() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, 10_000)
                .open();
        c.put("a=1");
        c.roll();
        c.clock.advance(8_000);
        c.put("a=2");
        c.roll();
        c.clock.advance(3_000); // first segment 11 s old, second 3 s
        c.put("a=3");

        CleanableRange range = c.range(CleanableRange.NO_CHECKPOINT);
        assertThat(range.firstUncleanableOffset()).isEqualTo(1);

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);
        assertThat(c.records()).containsExactly("0:a=1", "1:a=2", "2:a=3");

        c.clock.advance(8_000);
        assertThat(c.range(CleanableRange.NO_CHECKPOINT).firstUncleanableOffset())
                .isEqualTo(2);
        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);
        assertThat(c.records()).containsExactly("1:a=2", "2:a=3");
    }

    @Test
    void maxCompactionLagMakesALogDueWhateverItsRatio() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, 60_000)
                .open();
        for (int i = 0; i < 50; i++) {
            c.put("k" + i + "=1");
        }
        c.roll();
        CleaningResult first = c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);
        c.put("k0=2");
        c.roll();
        c.put("x=1");

        CleanableRange fresh = c.range(first.endOffset());
        assertThat(fresh.cleanableRatio()).isLessThan(0.5);
        assertThat(fresh.isCleanable(0.5)).isFalse();

        c.clock.advance(60_001);
        CleanableRange late = c.range(first.endOffset());
        assertThat(late.maxCompactionDelayMs()).isEqualTo(1);
        assertThat(late.needsCompactionNow()).isTrue();
        assertThat(late.isCleanable(0.5)).isTrue();
    }

    @Test
    void aRecordOlderThanTheMaxCompactionLagIsCompactedThoughItWasInTheActiveSegment() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, 60_000)
                .open();
        c.put("a=1", "b=1"); // 0..1
        c.put("a=2"); // 2
        c.clock.advance(60_000);
        c.put("c=1"); // 3: the active segment is exactly as old as the lag, not older
        assertThat(c.segmentBaseOffsets()).containsExactly(0L);
        assertThat(c.range(CleanableRange.NO_CHECKPOINT).isCleanable(0.5)).isFalse();

        c.clock.advance(1);
        c.put("b=2"); // 4: rolled first (segment.ms is a week; the lag bounds the active segment's age)
        assertThat(c.segmentBaseOffsets()).containsExactly(0L, 4L);
        CleanableRange range = c.range(CleanableRange.NO_CHECKPOINT);
        assertThat(range.firstUncleanableOffset()).isEqualTo(4);
        assertThat(range.needsCompactionNow()).isTrue();
        assertThat(range.isCleanable(0.99)).isTrue();

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactly("1:b=1", "2:a=2", "3:c=1", "4:b=2");
    }

    @Test
    void aSmallOffsetMapCleansInPassesToTheSameResult() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 30; k++) {
                c.put("k" + k + "=" + round);
            }
            c.roll();
        }
        c.put("tail=1");
        long firstUncleanable = c.log.logEndOffset() - 1;
        Cleaner small = CompactedLog.cleaner(KeyOffsetMap.BYTES_PER_ENTRY * 12L); // 10 keys a pass

        long checkpoint = CleanableRange.NO_CHECKPOINT;
        int passes = 0;
        while (checkpoint < firstUncleanable) {
            CleaningResult result = c.clean(small, checkpoint);
            assertThat(result.endOffset()).isGreaterThan(checkpoint);
            checkpoint = result.endOffset();
            passes++;
        }

        assertThat(passes).isEqualTo(9);
        List<String> expected = new ArrayList<>();
        for (int k = 0; k < 30; k++) {
            expected.add((60 + k) + ":k" + k + "=2");
        }
        expected.add("90:tail=1");
        assertThat(c.records()).containsExactlyElementsOf(expected);
    }

    @Test
    void anActiveProducersLastBatchStaysEvenWhenEveryRecordInItIsSuperseded() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.append(c.batch(Compression.NONE, 5L, (short) 0, 0, "a=1", "b=1"));
        c.append(c.batch(Compression.NONE, 5L, (short) 0, 2, "c=1")); // 2: producer 5's last batch
        c.put("a=2", "b=2", "c=2"); // 3..5
        c.roll();
        c.put("z=1");

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(c.records()).containsExactly("3:a=2", "4:b=2", "5:c=2", "6:z=1");
        List<RecordBatch> batches = c.batches();
        assertThat(batches).hasSize(3);
        RecordBatch kept = batches.get(0);
        assertThat(kept.countOrNull()).isZero();
        assertThat(kept.baseOffset()).isEqualTo(2);
        assertThat(kept.lastOffset()).isEqualTo(2);
        assertThat(kept.producerId()).isEqualTo(5L);
        assertThat(kept.baseSequence()).isEqualTo(2);
        assertThat(kept.lastSequence()).isEqualTo(2);

        c.reopenAfterCrash();
        var entry = c.log.producerState().entry(5L).orElseThrow();
        assertThat(entry.lastSeq()).isEqualTo(2);
        var retry = c.log.appendAsLeader(c.batch(Compression.NONE, 5L, (short) 0, 2, "c=1"), 7);
        assertThat(retry)
                .isInstanceOfSatisfying(io.varve.storage.log.AppendResult.Appended.class, a -> assertThat(a.duplicate())
                        .isTrue());
        var next = c.log.appendAsLeader(c.batch(Compression.NONE, 5L, (short) 0, 3, "d=1"), 7);
        assertThat(next).isInstanceOf(io.varve.storage.log.AppendResult.Appended.class);
    }

    @Test
    void cleanedSegmentsAreGroupedUnderSegmentBytes() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.SEGMENT_BYTES_CONFIG, 1024 * 1024)
                .open();
        String value = "v".repeat(1000);
        int key = 0;
        for (int segment = 0; segment < 5; segment++) {
            for (int i = 0; i < 400; i++) {
                c.put("k" + key++ + "=" + value); // ~400 KB a segment, nothing superseded
            }
            c.roll();
        }
        c.put("tail=1");

        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(c.segmentBaseOffsets()).containsExactly(0L, 800L, 1600L, 2000L);
        for (var segment : c.log.segments()) {
            assertThat(segment.size()).isLessThanOrEqualTo(1024 * 1024);
        }
        assertThat(c.records()).hasSize(2001);
    }

    @Test
    void anAbortedTransactionsRecordsGoWhileCommittedOnesAndBothMarkersStay() throws Exception {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1", "b=1"); // 0..1
        c.txn(10L, 0, "a=2", "c=1"); // 2..3: producer 10, committed below
        c.txn(20L, 0, "a=9", "b=2", "d=1"); // 4..6: producer 20, aborted below
        c.txn(10L, 2, "e=1"); // 7
        c.marker(10L, true); // 8
        c.marker(20L, false); // 9
        c.roll();
        c.put("z=1"); // 10, active segment
        c.log.onHighWatermarkUpdated(11);
        assertThat(c.log.lastStableOffset(11)).as("both transactions ended").isEqualTo(11);
        List<String> committedBefore = readCommitted(c);

        CleaningResult result = c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);

        assertThat(result.endOffset()).isEqualTo(10);
        // a=9 and b=2 were aborted: they neither stay nor supersede a=2 and b=1 (not mapped)
        assertThat(c.records())
                .containsExactly("1:b=1", "2:a=2", "3:c=1", "7:e=1", "8:COMMIT(10)", "9:ABORT(20)", "10:z=1");
        // producer 20's aborted batch stays empty: it holds the producer's last sequence (Kafka keeps it too)
        RecordBatch emptied = c.batches().get(2);
        assertThat(emptied.producerId()).isEqualTo(20L);
        assertThat(emptied.countOrNull()).isZero();
        assertThat(emptied.baseOffset()).isEqualTo(4);
        assertThat(emptied.lastOffset()).isEqualTo(6);
        assertThat(emptied.isTransactional()).isTrue();
        assertThat(committedBefore).containsExactly("0:a=1", "1:b=1", "2:a=2", "3:c=1", "7:e=1", "10:z=1");
        assertThat(readCommitted(c)).containsExactly("1:b=1", "2:a=2", "3:c=1", "7:e=1", "10:z=1");
        // the abort marker's entry was rewritten into the cleaned segment's .txnindex
        assertThat(abortedTransactions(c)).containsExactly(new AbortedTxn(20L, 4, 9, 10));
    }

    /** The aborted transactions a read_committed fetch of the whole stable log is told about. */
    private static List<AbortedTxn> abortedTransactions(CompactedLog c) throws Exception {
        long stable = c.log.lastStableOffset(c.log.logEndOffset());
        LogSlice slice = ((ReadResult.Data) c.log.read(0, 1 << 20, stable, true)).slice();
        try {
            return c.log.abortedTransactions(0, slice);
        } finally {
            slice.release();
        }
    }

    /**
     * What a read_committed consumer reads from offset 0 ({@code offset:key=value}): the stable log without
     * markers and without the batches of the aborted transactions the fetch reports, as Kafka's consumer
     * drops them.
     */
    private static List<String> readCommitted(CompactedLog c) throws Exception {
        PriorityQueue<AbortedTxn> aborted = new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
        aborted.addAll(abortedTransactions(c));
        Set<Long> abortedProducers = new HashSet<>();
        List<String> out = new ArrayList<>();
        long stable = c.log.lastStableOffset(c.log.logEndOffset());
        for (RecordBatch batch : c.batches()) {
            while (!aborted.isEmpty() && aborted.peek().firstOffset() <= batch.lastOffset()) {
                abortedProducers.add(aborted.poll().producerId());
            }
            if (batch.isControlBatch()) {
                abortedProducers.remove(batch.producerId()); // the marker ends the producer's transaction
            } else if (batch.baseOffset() < stable
                    && !(batch.isTransactional() && abortedProducers.contains(batch.producerId()))) {
                for (Record record : batch) {
                    out.add(record.offset() + ":" + CompactedLog.string(record.key()) + "="
                            + CompactedLog.string(record.value()));
                }
            }
        }
        return out;
    }
}
