package io.varve.bench;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Append throughput of the storage engine against the physical limit: the same 16 KiB batches of
 * 1 KiB records appended through {@link PartitionLog#appendAsLeader} (validation, CRC check, offset
 * assignment in place, indexing, segment roll) versus written with a bare sequential {@code
 * FileChannel.write} into same-sized files on the same disk. Both keep at most {@link #KEEP_BYTES}
 * on disk (retention for the log, file rotation for the baseline), so a run does not fill the disk.
 * Rolled segments are fsynced on a second thread, as the broker does on the storage dispatcher.
 *
 * <p>Run with {@code bench/storage-append.sh}; the score is operations (batches) per second, and the
 * figure that matters is the ratio log/raw.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StorageAppendBenchmark {
    static final int RECORD_BYTES = 1024;
    static final int RECORDS_PER_BATCH = 16;
    static final int SEGMENT_BYTES = 128 * 1024 * 1024;
    static final long KEEP_BYTES = 512L * 1024 * 1024;

    private Path dir;
    private ByteBuffer template;
    private PartitionLog log;
    private FileChannel raw;
    private int rawFileIndex;
    private long appends;
    private final java.util.concurrent.ExecutorService flusher =
            java.util.concurrent.Executors.newSingleThreadExecutor();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "bench/target")), "append");
        template = batchTemplate();
        LogConfig config = LogConfig.fromMap(Map.of(
                TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES),
                TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(KEEP_BYTES),
                TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0"));
        log = PartitionLog.open(
                dir.resolve("bench-0"),
                new TopicPartition("bench", 0),
                config,
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
        Files.createDirectories(dir.resolve("raw"));
        raw = openRaw(0);
    }

    private static ByteBuffer batchTemplate() {
        ByteBuffer buffer = ByteBuffer.allocate(RECORDS_PER_BATCH * (RECORD_BYTES + 64) + 128);
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                buffer, RecordBatch.CURRENT_MAGIC_VALUE, Compression.NONE, TimestampType.CREATE_TIME, 0L);
        byte[] value = new byte[RECORD_BYTES];
        for (int i = 0; i < RECORDS_PER_BATCH; i++) {
            value[0] = (byte) i;
            builder.append(new SimpleRecord(System.currentTimeMillis(), null, value));
        }
        return builder.build().buffer();
    }

    private FileChannel openRaw(int index) throws IOException {
        return FileChannel.open(
                dir.resolve("raw").resolve(index + ".bin"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** The storage engine's append path for one 16 KiB batch. */
    @Benchmark
    public long logAppend() throws IOException {
        AppendResult result = log.appendAsLeader(MemoryRecords.readableRecords(template.duplicate()), 0);
        if (!(result instanceof AppendResult.Appended appended)) {
            throw new IllegalStateException(result.toString());
        }
        if (++appends % 4096 == 0) {
            log.deleteOldSegments(log.logEndOffset());
            log.maybeDeleteFilesPastDelay();
            // as in the broker: rolled segments are fsynced on another storage thread
            log.takeRollFlush()
                    .ifPresent(flush -> flusher.execute(() -> {
                        try {
                            flush.run();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }));
        }
        return appended.lastOffset();
    }

    /**
     * The physical limit with the log's durability: the same bytes through a bare sequential
     * FileChannel.write, each full file fsynced on a second thread like a rolled segment.
     */
    @Benchmark
    public long rawWrite() throws IOException {
        return writeRaw(true);
    }

    /**
     * The same without any fsync: files are deleted before the kernel writes them back, so this
     * measures the page cache, not the disk.
     */
    @Benchmark
    public long rawWriteNoFsync() throws IOException {
        return writeRaw(false);
    }

    private long writeRaw(boolean fsyncFullFiles) throws IOException {
        ByteBuffer bytes = template.duplicate();
        while (bytes.hasRemaining()) {
            raw.write(bytes);
        }
        if (raw.position() >= SEGMENT_BYTES) {
            FileChannel full = raw;
            if (fsyncFullFiles) {
                flusher.execute(() -> forceAndClose(full));
            } else {
                full.close();
            }
            rawFileIndex++;
            Files.deleteIfExists(
                    dir.resolve("raw").resolve((rawFileIndex - (int) (KEEP_BYTES / SEGMENT_BYTES) - 1) + ".bin"));
            raw = openRaw(rawFileIndex);
        }
        return raw.position();
    }

    private static void forceAndClose(FileChannel channel) {
        try (channel) {
            channel.force(true);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        flusher.shutdown();
        flusher.awaitTermination(1, TimeUnit.MINUTES);
        log.close();
        raw.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
