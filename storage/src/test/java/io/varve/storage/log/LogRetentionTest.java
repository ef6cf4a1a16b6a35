package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRetentionTest {
    @TempDir
    Path root;

    private LogFixture fx;

    @AfterEach
    void close() throws IOException {
        fx.log.close();
    }

    /** Segments [0..1] at t0, [2..3] at t0+1h, active [4..5] at t0+2h. */
    private PartitionLog threeSegmentsAnHourApart() throws IOException {
        PartitionLog log = fx.open();
        fx.append("a", 2);
        log.roll();
        fx.clock.advance(3_600_000);
        fx.append("b", 2);
        log.roll();
        fx.clock.advance(3_600_000);
        fx.append("c", 2);
        return log;
    }

    @Test
    void deletesSegmentsOlderThanRetentionMsByLargestTimestamp() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 5_400_000);
        PartitionLog log = threeSegmentsAnHourApart();
        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(2L, 4L);
        assertThat(log.logStartOffset()).isEqualTo(2);
    }

    @Test
    void rollsAndDeletesTheActiveSegmentOnceEveryRecordExpired() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 60_000);
        PartitionLog log = fx.open();
        fx.append("a", 3);
        fx.clock.advance(60_001);

        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(1);

        // Kafka rolls an expired active segment and deletes it: the log is empty from its old end on
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(3L);
        assertThat(log.segments().get(0).size()).isZero();
        assertThat(fx.append("b", 1).firstOffset()).isEqualTo(3);
        assertThat(Batches.offsetsAndValues(log.readRecords(3, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("3:b-0");
    }

    @Test
    void expiredClosedSegmentsAndActiveSegmentAreAllDeleted() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 1);
        PartitionLog log = threeSegmentsAnHourApart();
        fx.clock.advance(86_400_000);
        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(3);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(6L);
        assertThat(log.logStartOffset()).isEqualTo(6);
    }

    @Test
    void keepsTheActiveSegmentWhileItHoldsAnUnexpiredRecord() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 5_400_000);
        PartitionLog log = threeSegmentsAnHourApart();
        fx.clock.advance(3_600_000);
        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(2);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(4L);
        assertThat(Batches.offsetsAndValues(log.readRecords(4, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("4:c-0", "5:c-1");
    }

    @Test
    void keepsAnEmptyActiveSegment() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 1);
        PartitionLog log = fx.open();
        fx.clock.advance(86_400_000);
        assertThat(log.deleteOldSegments(log.logEndOffset())).isZero();
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(0L);
    }

    @Test
    void neverDeletesWhatIsNotBelowTheHighWatermark() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.RETENTION_MS_CONFIG, 1);
        PartitionLog log = threeSegmentsAnHourApart();
        fx.clock.advance(86_400_000);
        // offsets 3.. not yet replicated: the segment [2..3] and the active one must stay
        assertThat(log.deleteOldSegments(3)).isEqualTo(1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(2L, 4L);
        assertThat(log.deleteOldSegments(5)).isEqualTo(1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(4L);
        assertThat(log.deleteOldSegments(6)).isEqualTo(1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(6L);
    }

    @Test
    void deletesOldestSegmentsBeyondRetentionBytes() throws IOException {
        fx = new LogFixture(root);
        PartitionLog sizing = threeSegmentsAnHourApart();
        long segmentBytes = sizing.segments().get(0).size();
        sizing.close();
        Files.walk(root).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile()
                .delete());

        fx = new LogFixture(root).with(TopicConfig.RETENTION_BYTES_CONFIG, 2 * segmentBytes);
        PartitionLog log = threeSegmentsAnHourApart();
        assertThat(log.deleteOldSegments(log.logEndOffset())).isEqualTo(1);
        assertThat(log.segments()).extracting(LogSegment::baseOffset).containsExactly(2L, 4L);
    }

    @Test
    void deletedSegmentsAreRenamedThenRemovedAfterTheDelay() throws IOException {
        fx = new LogFixture(root)
                .with(TopicConfig.RETENTION_MS_CONFIG, 5_400_000)
                .with(TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, 60_000);
        PartitionLog log = threeSegmentsAnHourApart();
        log.deleteOldSegments(log.logEndOffset());
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.log"))).isFalse();
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.log.deleted")))
                .isTrue();
        assertThat(log.maybeDeleteFilesPastDelay()).isZero();
        fx.clock.advance(60_000);
        assertThat(log.maybeDeleteFilesPastDelay()).isEqualTo(1);
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.log.deleted")))
                .isFalse();
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.index.deleted")))
                .isFalse();
        assertThat(log.pendingDeletionCount()).isZero();
    }

    @Test
    void deletePolicyOffKeepsEverything() throws IOException {
        fx = new LogFixture(root)
                .with(TopicConfig.RETENTION_MS_CONFIG, 1)
                .with(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        PartitionLog log = threeSegmentsAnHourApart();
        assertThat(log.deleteOldSegments(log.logEndOffset())).isZero();
        assertThat(log.segments()).hasSize(3);
    }
}
