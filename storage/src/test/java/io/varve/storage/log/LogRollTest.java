package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRollTest {
    @TempDir
    Path root;

    private LogFixture fx;

    @AfterEach
    void close() throws IOException {
        fx.log.close();
    }

    @Test
    void rollsWhenTheNextBatchWouldExceedSegmentBytes() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.SEGMENT_BYTES_CONFIG, 1024 * 1024);
        PartitionLog log = fx.open();
        MemoryRecords probe = Batches.sized(100_000, fx.clock.millis());
        int perBatch = probe.sizeInBytes();
        int fit = (1024 * 1024) / perBatch;
        for (int i = 0; i <= fit; i++) {
            log.appendAsLeader(Batches.sized(100_000, fx.clock.millis()), 0);
        }
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, (long) fit);
        assertThat(log.segments().get(0).size()).isEqualTo(fit * perBatch);
    }

    @Test
    void rollsWhenTheFirstBatchIsOlderThanSegmentMs() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.SEGMENT_MS_CONFIG, 10_000);
        PartitionLog log = fx.open();
        fx.append("a", 1);
        fx.clock.advance(9_999);
        fx.append("b", 1);
        assertThat(log.segments()).hasSize(1);
        fx.clock.advance(2);
        fx.append("c", 1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
    }

    @Test
    void rollsWhenTheIndexIsFull() throws IOException {
        fx = new LogFixture(root)
                .with(TopicConfig.SEGMENT_INDEX_BYTES_CONFIG, 24)
                .with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);
        PartitionLog log = fx.open();
        for (int i = 0; i < 6; i++) {
            fx.clock.advance(1);
            fx.append("x", 1);
        }
        assertThat(log.segments().size()).isGreaterThan(1);
        for (LogSegment segment : log.segments()) {
            assertThat(segment.offsetIndex().entries()).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void rollsWhenAnOffsetWouldOverflowTheSegmentsRelativeOffsets() throws IOException {
        fx = new LogFixture(root);
        PartitionLog log = fx.open();
        log.appendAsFollower(MemoryRecords.withRecords(
                0L, Compression.NONE, RecordBatch.NO_PARTITION_LEADER_EPOCH, new SimpleRecord(1L, new byte[1])));
        long far = 1L + Integer.MAX_VALUE + 5;
        log.appendAsFollower(MemoryRecords.withRecords(
                far, Compression.NONE, RecordBatch.NO_PARTITION_LEADER_EPOCH, new SimpleRecord(1L, new byte[1])));
        // the new segment starts at the batch, since the old one cannot address its offset
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, far);
        assertThat(log.logEndOffset()).isEqualTo(far + 1);
        assertThat(log.segments().get(0).canConvertToRelativeOffset(far)).isFalse();
    }

    @Test
    void rollWritesAProducerSnapshotAndTrimsTheOldIndexes() throws IOException {
        fx = new LogFixture(root);
        PartitionLog log = fx.open();
        fx.append("a", 3);
        log.roll();
        assertThat(Files.size(fx.dir.resolve("00000000000000000000.index"))).isZero();
        assertThat(Files.size(fx.dir.resolve("00000000000000000000.timeindex"))).isEqualTo(12);
        assertThat(Files.exists(fx.dir.resolve("00000000000000000003.snapshot")))
                .isTrue();
        // the rolled segment is flushed off the append path, then reported
        assertThat(log.recoveryPoint()).isZero();
        SegmentFlush flush = log.takeRollFlush().orElseThrow();
        assertThat(flush.upToOffset()).isEqualTo(3);
        assertThat(log.takeRollFlush()).isEmpty();
        flush.run();
        log.onFlushed(flush.upToOffset());
        assertThat(log.recoveryPoint()).isEqualTo(3);
    }
}
