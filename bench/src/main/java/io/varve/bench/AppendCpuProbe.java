package io.varve.bench;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The CPU time one {@link PartitionLog#appendAsLeader} costs, by codec, measured as this thread's
 * CPU time (not wall time), so other load on the machine inflates it little: on a shared 2-CPU box a
 * throughput benchmark (JMH's {@link AppendValidationBenchmark}) swings by 100% between runs. Same
 * batches as that benchmark, into a log under {@code DIR} (use a tmpfs, so the file write is a
 * memory copy). Prints the median CPU nanoseconds per append of {@code ROUNDS} rounds of {@code N}
 * appends each, after a warm-up. Run it against two builds to compare validators.
 *
 * <p>Usage: {@code AppendCpuProbe DIR ROUNDS N}.
 */
public final class AppendCpuProbe {
    private AppendCpuProbe() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (CompressionType codec : CompressionType.values()) {
            Path dir = Files.createTempDirectory(root, "cpu-probe");
            PartitionLog log = PartitionLog.open(
                    dir.resolve("probe-0"),
                    new TopicPartition("probe", 0),
                    LogConfig.fromMap(Map.of(
                            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(64 * 1024 * 1024),
                            TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(256L * 1024 * 1024),
                            TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0")),
                    0L,
                    0L,
                    false,
                    86_400_000L,
                    Clock.systemUTC());
            ByteBuffer template = AppendValidationBenchmark.batch(codec);
            appendMany(log, template, n * 2); // warm-up
            long[] nanosPerAppend = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                long cpu = threads.getCurrentThreadCpuTime();
                appendMany(log, template, n);
                nanosPerAppend[r] = (threads.getCurrentThreadCpuTime() - cpu) / n;
            }
            Arrays.sort(nanosPerAppend);
            System.out.printf(
                    "codec=%s batch_bytes=%d cpu_ns_per_append_median=%d rounds=%s%n",
                    codec.name, template.remaining(), nanosPerAppend[rounds / 2], Arrays.toString(nanosPerAppend));
            log.close();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void appendMany(PartitionLog log, ByteBuffer template, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            ByteBuffer copy = ByteBuffer.allocate(template.remaining());
            copy.put(template.duplicate()).flip();
            AppendResult result = log.appendAsLeader(MemoryRecords.readableRecords(copy), 0);
            if (!(result instanceof AppendResult.Appended)) {
                throw new IllegalStateException(result.toString());
            }
            if (i % 8192 == 0) {
                log.deleteOldSegments(log.logEndOffset());
                log.maybeDeleteFilesPastDelay();
                log.takeRollFlush();
            }
        }
    }
}
