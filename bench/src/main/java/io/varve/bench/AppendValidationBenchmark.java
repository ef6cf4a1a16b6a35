package io.varve.bench;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What batch validation costs on the append path, by codec: {@link PartitionLog#appendAsLeader} of
 * one producer batch of {@link #RECORDS} text-like records of about 1 KiB (compressible, as JSON is),
 * into a log on a tmpfs directory ({@code -Dbench.dir=/dev/shm}) so the file write is a memory
 * copy and the figure is the CPU of validation, offset assignment and indexing. Run the same class
 * against two builds to see what a validator change costs (docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AppendValidationBenchmark {
    static final int RECORDS = 16;
    static final int SEGMENT_BYTES = 64 * 1024 * 1024;
    static final long KEEP_BYTES = 256L * 1024 * 1024;

    @Param({"NONE", "GZIP", "SNAPPY", "LZ4", "ZSTD"})
    public String codec;

    private Path dir;
    private ByteBuffer template;
    private PartitionLog log;
    private long appends;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "bench/target")), "validate");
        template = batch(CompressionType.valueOf(codec));
        log = PartitionLog.open(
                dir.resolve("bench-0"),
                new TopicPartition("bench", 0),
                LogConfig.fromMap(Map.of(
                        TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(SEGMENT_BYTES),
                        TopicConfig.RETENTION_BYTES_CONFIG, String.valueOf(KEEP_BYTES),
                        TopicConfig.FILE_DELETE_DELAY_MS_CONFIG, "0")),
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
    }

    /** A producer's batch: records like {"id":…,"customer":…,"items":[…]} of about 1 KiB each. */
    static ByteBuffer batch(CompressionType type) {
        ByteBuffer buffer = ByteBuffer.allocate(RECORDS * 1200 + 256);
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                buffer, RecordBatch.CURRENT_MAGIC_VALUE, Compression.of(type).build(), TimestampType.CREATE_TIME, 0L);
        for (int i = 0; i < RECORDS; i++) {
            StringBuilder json =
                    new StringBuilder("{\"id\":").append(1_000_000 + i).append(",\"items\":[");
            for (int item = 0; json.length() < 1000; item++) {
                json.append("{\"sku\":\"SKU-")
                        .append(item * 7919 % 10_000)
                        .append("\",\"qty\":")
                        .append(item % 5 + 1)
                        .append("},");
            }
            json.append("]}");
            builder.append(new SimpleRecord(
                    System.currentTimeMillis(),
                    ("customer-" + i).getBytes(StandardCharsets.UTF_8),
                    json.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return builder.build().buffer();
    }

    @Benchmark
    public long appendAsLeader() throws IOException {
        AppendResult result = log.appendAsLeader(MemoryRecords.readableRecords(copy(template)), 0);
        if (!(result instanceof AppendResult.Appended appended)) {
            throw new IllegalStateException(result.toString());
        }
        if (++appends % 8192 == 0) {
            log.deleteOldSegments(log.logEndOffset());
            log.maybeDeleteFilesPastDelay();
            log.takeRollFlush(); // tmpfs: the rolled segments need no fsync here
        }
        return appended.lastOffset();
    }

    /** The append rewrites the header in place (offsets, max timestamp): each op gets fresh bytes. */
    private static ByteBuffer copy(ByteBuffer template) {
        ByteBuffer copy = ByteBuffer.allocate(template.remaining());
        copy.put(template.duplicate()).flip();
        return copy;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
