package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionLogTest {
    @TempDir
    Path root;

    private LogFixture fx;

    private LogFixture fixture() {
        fx = new LogFixture(root);
        return fx;
    }

    @AfterEach
    void close() throws IOException {
        if (fx != null && fx.log != null && !fx.log.isOffline()) {
            fx.log.close();
        }
    }

    @Test
    void assignsOffsetsInPlaceAndReadsThemBack() throws IOException {
        PartitionLog log = fixture().open();
        assertThat(fx.append("a", 5).firstOffset()).isEqualTo(0);
        AppendResult.Appended second = fx.append("b", 3);
        assertThat(second.firstOffset()).isEqualTo(5);
        assertThat(second.lastOffset()).isEqualTo(7);
        assertThat(second.recordCount()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(8);

        MemoryRecords read = log.readRecords(6, 1 << 20, Long.MAX_VALUE);
        // reads start at the batch holding the offset, as Kafka's do
        assertThat(Batches.offsetsAndValues(read)).containsExactly("5:b-0", "6:b-1", "7:b-2");
        for (RecordBatch batch : read.batches()) {
            batch.ensureValid();
            assertThat(batch.partitionLeaderEpoch()).isEqualTo(0);
        }
    }

    @Test
    void readStopsAtMaxOffsetAndReturnsFileSlices() {
        PartitionLog log = fixture().open0();
        fx.append("a", 2);
        fx.append("b", 2);
        fx.append("c", 2);
        ReadResult.Data upToHighWatermark = (ReadResult.Data) log.read(0, 1 << 20, 4, false);
        LogSlice slice = upToHighWatermark.slice();
        assertThat(slice.firstBatchOffset()).isEqualTo(0);
        assertThat(slice.file().path()).isEqualTo(fx.dir.resolve("00000000000000000000.log"));
        int batchBytes = Batches.batch("a", 2, fx.clock.millis()).sizeInBytes();
        assertThat(slice.position()).isZero();
        assertThat(slice.length()).isEqualTo(2 * batchBytes);
        slice.release();

        ReadResult.Data atEnd = (ReadResult.Data) log.read(6, 1 << 20, Long.MAX_VALUE, false);
        assertThat(atEnd.slice().isEmpty()).isTrue();
        assertThat(atEnd.slice().hasFile()).isFalse();
        assertThat(atEnd.logEndOffset()).isEqualTo(6);
    }

    @Test
    void minOneBatchReturnsAWholeBatchLargerThanMaxBytes() {
        PartitionLog log = fixture().open0();
        fx.append("a", 10);
        ReadResult.Data none = (ReadResult.Data) log.read(0, 10, Long.MAX_VALUE, false);
        assertThat(none.slice().length()).isEqualTo(10);
        ReadResult.Data one = (ReadResult.Data) log.read(0, 10, Long.MAX_VALUE, true);
        assertThat(one.slice().length()).isEqualTo(log.segments().get(0).size());
    }

    @Test
    void offsetsOutsideTheLogAreOutOfRange() {
        PartitionLog log = fixture().open0();
        fx.append("a", 3);
        ReadResult.Failed failed = (ReadResult.Failed) log.read(4, 100, Long.MAX_VALUE, false);
        assertThat(failed.error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(failed.message()).contains("offset 4", "log end offset 3");
    }

    @Test
    void corruptBatchIsRejectedAndTheLogStaysAppendable() {
        PartitionLog log = fixture().open0();
        MemoryRecords records = Batches.batch("a", 3, fx.clock.millis());
        ByteBuffer buffer = records.buffer();
        buffer.put(buffer.limit() - 2, (byte) (buffer.get(buffer.limit() - 2) ^ 0x55));

        AppendResult.Rejected rejected = (AppendResult.Rejected) log.appendAsLeader(records, 0);
        assertThat(rejected.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).isZero();
        assertThat(fx.append("b", 2).firstOffset()).isZero();
    }

    @Test
    void oversizedBatchIsRejectedWithTheNumbers() {
        PartitionLog log =
                fixture().with(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, 500).open0();
        MemoryRecords big = Batches.sized(1000, fx.clock.millis());
        AppendResult.Rejected rejected = (AppendResult.Rejected) log.appendAsLeader(big, 0);
        assertThat(rejected.error()).isEqualTo(Errors.MESSAGE_TOO_LARGE);
        assertThat(rejected.message()).contains(String.valueOf(big.sizeInBytes()), "500", "orders-3");
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void timestampsOutsideTheBoundsAreRejected() {
        PartitionLog log = fixture()
                .with(TopicConfig.MESSAGE_TIMESTAMP_BEFORE_MAX_MS_CONFIG, 60_000)
                .with(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, 1_000)
                .open0();
        long now = fx.clock.millis();
        AppendResult.Rejected old = (AppendResult.Rejected) log.appendAsLeader(Batches.batch("a", 1, now - 60_001), 0);
        assertThat(old.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(old.message()).contains(String.valueOf(now - 60_001), "[" + (now - 60_000) + ", " + (now + 1000));
        AppendResult.Rejected future = (AppendResult.Rejected)
                log.appendAsLeader(Batches.batch(Compression.gzip().build(), "a", 2, now + 1_001), 0);
        assertThat(future.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(log.appendAsLeader(Batches.batch("a", 1, now - 60_000), 0))
                .isInstanceOf(AppendResult.Appended.class);
    }

    @Test
    void logAppendTimeStampsTheBatchAndKeepsItValid() throws IOException {
        PartitionLog log = fixture()
                .with(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")
                .open0();
        fx.clock.advance(5);
        AppendResult.Appended appended = (AppendResult.Appended) log.appendAsLeader(Batches.batch("a", 2, 42L), 0);
        assertThat(appended.logAppendTimeMs()).isEqualTo(fx.clock.millis());
        RecordBatch batch =
                log.readRecords(0, 1 << 20, Long.MAX_VALUE).batches().iterator().next();
        batch.ensureValid();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(fx.clock.millis());
    }

    @Test
    void compressedBatchesAreStoredAsSent() throws IOException {
        PartitionLog log = fixture().open0();
        for (Compression compression : List.of(
                Compression.gzip().build(),
                Compression.snappy().build(),
                Compression.lz4().build(),
                Compression.zstd().build())) {
            log.appendAsLeader(Batches.batch(compression, compression.type().name, 2, fx.clock.millis()), 0);
        }
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly(
                        "0:gzip-0",
                        "1:gzip-1",
                        "2:snappy-0",
                        "3:snappy-1",
                        "4:lz4-0",
                        "5:lz4-1",
                        "6:zstd-0",
                        "7:zstd-1");
    }

    @Test
    void flushMessagesMovesTheRecoveryPoint() {
        PartitionLog log =
                fixture().with(TopicConfig.FLUSH_MESSAGES_INTERVAL_CONFIG, 5).open0();
        fx.append("a", 3);
        assertThat(log.recoveryPoint()).isZero();
        fx.append("b", 2);
        assertThat(log.recoveryPoint()).isEqualTo(5);
    }

    @Test
    void flushMsFlushesOnlyAfterTheInterval() throws IOException {
        PartitionLog log = fixture().with(TopicConfig.FLUSH_MS_CONFIG, 1000).open0();
        fx.append("a", 3);
        log.maybeFlushByTime();
        assertThat(log.recoveryPoint()).isZero();
        fx.clock.advance(1000);
        log.maybeFlushByTime();
        assertThat(log.recoveryPoint()).isEqualTo(3);
    }

    @Test
    void deleteRecordsMovesTheLogStartOffsetAndDropsWholeSegments() throws IOException {
        PartitionLog log = fixture().open0();
        fx.append("a", 3);
        log.roll();
        fx.append("b", 3);
        assertThat(log.deleteRecordsBefore(4)).isEqualTo(4);
        assertThat(log.logStartOffset()).isEqualTo(4);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(3L);
        ReadResult.Failed below = (ReadResult.Failed) log.read(3, 100, Long.MAX_VALUE, false);
        assertThat(below.error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        assertThat(Batches.offsetsAndValues(log.readRecords(4, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("3:b-0", "4:b-1", "5:b-2");
    }

    @Test
    void truncateToRemovesTheTailAcrossSegments() throws IOException {
        PartitionLog log = fixture().open0();
        fx.append("a", 3);
        log.roll();
        fx.append("b", 3);
        log.roll();
        fx.append("c", 3);
        log.truncateTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 3L);
        assertThat(fx.append("d", 1).firstOffset()).isEqualTo(3);
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("0:a-0", "1:a-1", "2:a-2");
    }

    @Test
    void truncatingAtTheLogEndDropsAnEpochThatStartsThereAndHoldsNoRecord() throws IOException {
        PartitionLog log = fixture().open0();
        fx.append("a", 3);
        // this replica led at epoch 4 from its log end and appended nothing before it followed again
        log.leaderEpochCache().assign(4, 3);
        assertThat(log.leaderEpochCache().latestEpoch()).hasValue(4);

        log.truncateTo(3);

        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.leaderEpochCache().latestEpoch()).hasValue(0);
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("0:a-0", "1:a-1", "2:a-2");
        assertThat(fx.reopenClean().leaderEpochCache().latestEpoch())
                .as("the epoch checkpoint was rewritten")
                .hasValue(0);
    }

    @Test
    void anIoErrorTakesOnlyThisLogOffline() throws IOException {
        PartitionLog log = fixture().open0();
        LogFixture other = new LogFixture(root.resolve("other"));
        PartitionLog otherLog = other.open();
        fx.append("a", 1);
        try (var files = Files.list(fx.dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(fx.dir);
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class, log::roll);
        assertThat(log.isOffline()).isTrue();
        AppendResult.Rejected rejected =
                (AppendResult.Rejected) log.appendAsLeader(Batches.batch("b", 1, fx.clock.millis()), 0);
        assertThat(rejected.error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
        assertThat(other.append("c", 2).lastOffset()).isEqualTo(1);
        otherLog.close();
    }

    @Test
    void aSmallSliceIsReadIntoMemoryAndHoldsNoFile() throws IOException {
        PartitionLog log = fixture().open();
        fx.append("a", 2);
        fx.append("b", 3);
        int batchBytes = Batches.batch("b", 3, fx.clock.millis()).sizeInBytes();
        LogSlice inMemory = ((ReadResult.Data) log.read(2, 1 << 20, Long.MAX_VALUE, false, batchBytes)).slice();
        assertThat(inMemory.hasBytes()).isTrue();
        assertThat(inMemory.hasFile()).isFalse();
        assertThat(inMemory.bytes().remaining()).isEqualTo(batchBytes);
        assertThat(Batches.offsetsAndValues(
                        MemoryRecords.readableRecords(inMemory.bytes().duplicate())))
                .containsExactly("2:b-0", "3:b-1", "4:b-2");

        LogSlice zeroCopy = ((ReadResult.Data) log.read(2, 1 << 20, Long.MAX_VALUE, false, batchBytes - 1)).slice();
        assertThat(zeroCopy.hasBytes()).isFalse();
        assertThat(zeroCopy.hasFile()).isTrue();
        assertThat(readThroughHandle(zeroCopy)).containsExactly("2:b-0", "3:b-1", "4:b-2");
        zeroCopy.release();
    }

    @Test
    void aZeroCopySliceStaysReadableAfterRetentionDeletedItsSegmentFromDisk() throws IOException {
        fx = new LogFixture(root)
                .with(TopicConfig.RETENTION_MS_CONFIG, 60_000)
                .with(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, 0);
        PartitionLog log = fx.open();
        fx.append("a", 3);
        LogSlice slice = ((ReadResult.Data) log.read(0, 1 << 20, Long.MAX_VALUE, false)).slice();
        Path segmentFile = fx.dir.resolve("00000000000000000000.log");

        fx.clock.advance(60_001);
        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(1);
        assertThat(log.maybeDeleteFilesPastDelay()).isEqualTo(1);
        assertThat(Files.exists(segmentFile)).isFalse();
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.log.deleted")))
                .isFalse();

        assertThat(slice.file().channel().isOpen()).isTrue();
        assertThat(readThroughHandle(slice)).containsExactly("0:a-0", "1:a-1", "2:a-2");
        slice.release();
        assertThat(slice.file().channel().isOpen()).isFalse();
    }

    @Test
    void aSegmentFileClosesWithItsLastSliceNotWithTheLog() throws IOException {
        PartitionLog log = fixture().open();
        fx.append("a", 2);
        LogSlice first = ((ReadResult.Data) log.read(0, 1 << 20, Long.MAX_VALUE, false)).slice();
        LogSlice second = ((ReadResult.Data) log.read(0, 1 << 20, Long.MAX_VALUE, false)).slice();
        log.close();
        fx.log = null;

        assertThat(readThroughHandle(first)).containsExactly("0:a-0", "1:a-1");
        first.release();
        first.release(); // idempotent: the second slice's reference is not given back twice
        assertThat(second.file().channel().isOpen()).isTrue();
        assertThat(readThroughHandle(second)).containsExactly("0:a-0", "1:a-1");
        second.release();
        assertThat(second.file().channel().isOpen()).isFalse();
    }

    @Test
    void aTruncatedSegmentEndsBeforeASliceReadEarlier() throws IOException {
        PartitionLog log = fixture().open();
        fx.append("a", 2);
        fx.append("b", 2);
        LogSlice slice = ((ReadResult.Data) log.read(0, 1 << 20, Long.MAX_VALUE, false)).slice();
        log.truncateTo(2);
        // what the sender checks before every transfer: the bytes are gone, so the send must fail
        assertThat(slice.file().channel().size()).isLessThan((long) slice.position() + slice.length());
        slice.release();
    }

    /** The slice's records, read through its retained channel (not by opening the path). */
    private static List<String> readThroughHandle(LogSlice slice) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(slice.length());
        while (buffer.hasRemaining()) {
            int n = slice.file().channel().read(buffer, slice.position() + buffer.position());
            if (n < 0) {
                throw new IOException("slice " + slice + " runs past the end of its file");
            }
        }
        return Batches.offsetsAndValues(MemoryRecords.readableRecords(buffer.flip()));
    }
}
