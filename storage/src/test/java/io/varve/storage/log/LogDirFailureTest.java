package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.varve.storage.testing.ManualClock;
import io.varve.storage.testing.Tmpfs;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory fails on an I/O error in any of its logs: the listener hears it once, with the
 * directory and the cause, and the directory writes no checkpoint and no clean-shutdown marker, so a
 * restart recovers. The first test runs out of space for real on a size-limited tmpfs (root only;
 * skipped with the reason elsewhere).
 */
class LogDirFailureTest {
    private static final int VALUE_BYTES = 10_000;

    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(LogFixture.START_MS);
    private final List<String> failures = new CopyOnWriteArrayList<>();

    private LogDirectory open(Path dir) throws IOException {
        LogDirectory directory = LogDirectory.open(dir);
        directory.onFailure((failed, operation, cause) -> failures.add(failed + " | " + operation + " | " + cause));
        return directory;
    }

    @Test
    void aFullDiskFailsTheDirectoryOnceAndTheRestartTruncatesThePartialWrite() throws Exception {
        Path data = root.resolve("data");
        TopicPartition tp = new TopicPartition("orders", 0);
        TopicPartition other = new TopicPartition("payments", 0);
        try (Tmpfs tmpfs = Tmpfs.mountOrSkip(data, 4L << 20)) {
            LogDirectory directory = open(tmpfs.dir());
            PartitionLog log = directory.openLog(tp, LogConfig.defaults(), 60_000, clock);
            PartitionLog otherLog = directory.openLog(other, LogConfig.defaults(), 60_000, clock);
            long acked = 0;
            long ackedBytes = 0;
            for (int i = 0; i < 20; i++) {
                MemoryRecords batch = Batches.sized(VALUE_BYTES, clock.millis());
                assertThat(log.appendAsLeader(batch, 0)).isInstanceOf(AppendResult.Appended.class);
                acked++;
                ackedBytes += batch.sizeInBytes();
            }
            // less room than one batch: the next append writes part of it and then hits ENOSPC
            long free = Files.getFileStore(data).getUsableSpace();
            writeZeros(data.resolve("filler"), free - 6 * 1024);
            assertThat(Files.getFileStore(data).getUsableSpace()).isLessThan(VALUE_BYTES);

            AppendResult result = log.appendAsLeader(Batches.sized(VALUE_BYTES, clock.millis()), 0);
            assertThat(result).isInstanceOf(AppendResult.Rejected.class);
            assertThat(((AppendResult.Rejected) result).error()).isEqualTo(Errors.KAFKA_STORAGE_ERROR);
            assertThat(log.isOffline()).isTrue();
            assertThat(directory.failed()).isTrue();
            assertThat(failures).hasSize(1);
            assertThat(failures.get(0))
                    .startsWith(data + " | append of orders-0 | ")
                    .contains("No space left on device");
            long onDisk = Files.size(directory.partitionDir(tp).resolve("00000000000000000000.log"));
            assertThat(onDisk).as("a partial write is on disk").isGreaterThan(ackedBytes);

            // the other log of the directory hits the same full disk: no second report
            assertThat(otherLog.appendAsLeader(Batches.sized(VALUE_BYTES, clock.millis()), 0))
                    .isInstanceOf(AppendResult.Rejected.class);
            assertThat(failures).hasSize(1);
            // nothing claims the logs are consistent
            directory.writeCheckpoints(Map.of(tp, acked), Map.of(tp, 0L));
            directory.writeHighWatermarks(Map.of(tp, acked));
            assertThat(directory.markCleanShutdown()).isFalse();
            log.close();
            otherLog.close();
            assertThat(data.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)).doesNotExist();
            assertThat(data.resolve(LogDirectory.RECOVERY_POINT_CHECKPOINT)).doesNotExist();

            // space freed, node started again: recovery truncates the partial batch
            Files.delete(data.resolve("filler"));
            LogDirectory restarted = open(data);
            assertThat(restarted.hadCleanShutdown()).isFalse();
            PartitionLog recovered = restarted.openLog(tp, LogConfig.defaults(), 60_000, clock);
            assertThat(recovered.logEndOffset()).isEqualTo(acked);
            assertThat(Files.size(restarted.partitionDir(tp).resolve("00000000000000000000.log")))
                    .isEqualTo(ackedBytes);
            MemoryRecords read = recovered.readRecords(0, Integer.MAX_VALUE, acked);
            long offset = 0;
            for (RecordBatch batch : read.batches()) {
                for (Record record : batch) {
                    assertThat(record.offset()).isEqualTo(offset++);
                    assertThat(record.valueSize()).isEqualTo(VALUE_BYTES);
                }
            }
            assertThat(offset).isEqualTo(acked);
            AppendResult next = recovered.appendAsLeader(Batches.sized(VALUE_BYTES, clock.millis()), 0);
            assertThat(((AppendResult.Appended) next).firstOffset()).isEqualTo(acked);
            recovered.close();
            restarted.openLog(other, LogConfig.defaults(), 60_000, clock).close();
            assertThat(failures).hasSize(1);
        }
    }

    @Test
    void anIoErrorInOneLogFailsTheDirectoryAndStopsCleanShutdown() throws IOException {
        LogDirectory directory = open(root);
        TopicPartition tp = new TopicPartition("orders", 1);
        PartitionLog log = directory.openLog(tp, LogConfig.defaults(), 60_000, clock);
        PartitionLog otherLog =
                directory.openLog(new TopicPartition("payments", 1), LogConfig.defaults(), 60_000, clock);
        log.appendAsLeader(Batches.batch("a", 2, clock.millis()), 0);
        Path partitionDir = directory.partitionDir(tp);
        try (var files = Files.list(partitionDir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(partitionDir);

        assertThrows(IOException.class, log::roll);
        assertThat(failures).singleElement().asString().startsWith(root + " | roll of orders-1 | java.io.");
        assertThat(directory.failed()).isTrue();
        otherLog.close();
        directory.writeCheckpoints(Map.of(tp, 2L), Map.of(tp, 0L));
        assertThat(directory.markCleanShutdown()).isFalse();
        assertThat(root.resolve(LogDirectory.CLEAN_SHUTDOWN_FILE)).doesNotExist();
        assertThat(root.resolve(LogDirectory.RECOVERY_POINT_CHECKPOINT)).doesNotExist();
        assertThat(LogDirectory.open(root).hadCleanShutdown()).isFalse();
    }

    private static void writeZeros(Path file, long bytes) throws IOException {
        byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
    }
}
