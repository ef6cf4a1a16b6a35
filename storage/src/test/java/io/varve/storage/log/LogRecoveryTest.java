package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.varve.storage.testing.LogLines;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** After a crash the log reopens with exactly its valid prefix, indexes rebuilt. */
class LogRecoveryTest {
    @TempDir
    Path root;

    private LogFixture fx;

    @AfterEach
    void close() throws IOException {
        if (fx.log != null) {
            fx.log.close();
        }
    }

    /** Three batches a-0..2, b-0..2, c-0..2, abandoned without close (a crash). */
    private Path writeThreeBatchesAndCrash() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);
        fx.open();
        fx.append("a", 3);
        fx.append("b", 3);
        fx.append("c", 3);
        fx.log = null;
        return fx.dir.resolve("00000000000000000000.log");
    }

    private static long size(Path file) throws IOException {
        return Files.size(file);
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static void appendBytes(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes, StandardOpenOption.APPEND);
    }

    private void assertValidPrefix(String... expected) throws IOException {
        PartitionLog log = fx.reopenAfterCrash(0);
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly(expected);
        assertThat(log.logEndOffset()).isEqualTo(expected.length);
        assertThat(fx.append("z", 1).firstOffset()).isEqualTo(expected.length);
    }

    @Test
    void truncatesHalfAWrittenBatch() throws IOException {
        Path file = writeThreeBatchesAndCrash();
        long batchBytes = size(file) / 3;
        truncate(file, size(file) - batchBytes / 2);
        assertValidPrefix("0:a-0", "1:a-1", "2:a-2", "3:b-0", "4:b-1", "5:b-2");
    }

    @Test
    void truncatesGarbageBytesAfterTheLastBatch() throws IOException {
        Path file = writeThreeBatchesAndCrash();
        byte[] garbage = new byte[300];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (i * 31 + 7);
        }
        appendBytes(file, garbage);
        assertValidPrefix("0:a-0", "1:a-1", "2:a-2", "3:b-0", "4:b-1", "5:b-2", "6:c-0", "7:c-1", "8:c-2");
    }

    @Test
    void truncatesAZeroedTail() throws IOException {
        Path file = writeThreeBatchesAndCrash();
        appendBytes(file, new byte[4096]);
        assertValidPrefix("0:a-0", "1:a-1", "2:a-2", "3:b-0", "4:b-1", "5:b-2", "6:c-0", "7:c-1", "8:c-2");
    }

    @Test
    void truncatesFromABatchWithABadCrc() throws IOException {
        Path file = writeThreeBatchesAndCrash();
        long batchBytes = size(file) / 3;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = batchBytes + batchBytes - 3;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x7f)).rewind();
            ch.write(one, at);
        }
        assertValidPrefix("0:a-0", "1:a-1", "2:a-2");
    }

    @Test
    void rebuildsADeletedIndex() throws IOException {
        writeThreeBatchesAndCrash();
        fx.open().close();
        Files.delete(fx.dir.resolve("00000000000000000000.index"));
        Files.delete(fx.dir.resolve("00000000000000000000.timeindex"));
        PartitionLog log = fx.reopenClean0();
        assertThat(Batches.offsetsAndValues(log.readRecords(5, 1 << 20, Long.MAX_VALUE)))
                .startsWith("3:b-0", "4:b-1", "5:b-2");
        assertThat(Files.exists(fx.dir.resolve("00000000000000000000.index"))).isTrue();
        assertThat(log.segments().get(0).offsetIndex().entries()).isEqualTo(2);
    }

    /**
     * A crash leaves the active segment's indexes at their preallocated size; recovery rebuilds them as
     * a matter of course, which is no corruption to warn an operator about after every unclean stop.
     */
    @Test
    void aCrashRebuildsTheActiveSegmentsIndexesWithoutAWarning() throws IOException {
        writeThreeBatchesAndCrash();
        PartitionLog log;
        List<String> warnings;
        List<String> infos;
        try (LogLines lines = new LogLines(LogLoader.class)) {
            log = fx.reopenAfterCrash(0);
            warnings = lines.atLeast(Level.WARN);
            infos = lines.at(Level.INFO);
        }

        assertThat(warnings).isEmpty();
        assertThat(infos)
                .contains("rebuilding the indexes of segment 0 of " + fx.dir.getFileName()
                        + " after an unclean shutdown");
        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(log.segments().get(0).offsetIndex().entries()).isEqualTo(2);
    }

    @Test
    void rebuildsACorruptIndex() throws IOException {
        writeThreeBatchesAndCrash();
        fx.open().close();
        Files.write(fx.dir.resolve("00000000000000000000.index"), new byte[] {1, 2, 3});
        PartitionLog log = fx.reopenClean0();
        assertThat(log.logEndOffset()).isEqualTo(9);
        assertThat(log.segments().get(0).offsetIndex().entries()).isEqualTo(2);
    }

    @Test
    void dropsLaterSegmentsAfterACorruptTail() throws IOException {
        fx = new LogFixture(root);
        PartitionLog log = fx.open();
        fx.append("a", 2);
        log.roll();
        fx.append("b", 2);
        log.roll();
        fx.append("c", 2);
        fx.log = null;
        Path middle = fx.dir.resolve("00000000000000000002.log");
        truncate(middle, size(middle) - 1);
        PartitionLog recovered = fx.reopenAfterCrash(0);
        assertThat(recovered.segments()).extracting(LogSegment::baseOffset).containsExactly(0L, 2L);
        assertThat(recovered.logEndOffset()).isEqualTo(2);
        assertThat(Files.exists(fx.dir.resolve("00000000000000000004.log"))).isFalse();
    }

    @Test
    void cleanShutdownReopensWithoutLosingAnything() throws IOException {
        fx = new LogFixture(root);
        fx.open();
        fx.append("a", 2);
        fx.log.roll();
        fx.append("b", 2);
        PartitionLog log = fx.reopenClean();
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("0:a-0", "1:a-1");
        assertThat(Batches.offsetsAndValues(log.readRecords(2, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("2:b-0", "3:b-1");
    }
}
