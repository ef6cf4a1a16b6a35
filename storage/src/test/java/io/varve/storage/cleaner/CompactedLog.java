package io.varve.storage.cleaner;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.testing.ManualClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Test context for the cleaner: a compacted partition log in a temp dir with a manual clock, keyed
 * appends, one call to clean it as the partition actor and a cleaner thread would, and its records read
 * back as {@code offset:key=value} ({@code key=∅} for a tombstone).
 */
final class CompactedLog {
    static final long START_MS = 1_700_000_000_000L;
    static final long PRODUCER_ID_EXPIRATION_MS = 86_400_000L;

    final Path dir;
    final TopicPartition tp = new TopicPartition("changelog", 0);
    final ManualClock clock = new ManualClock(START_MS);
    final Map<String, String> overrides = new HashMap<>(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, "compact"));
    PartitionLog log;

    CompactedLog(Path root) {
        this.dir = root.resolve("changelog-0");
    }

    CompactedLog with(String key, Object value) {
        overrides.put(key, String.valueOf(value));
        return this;
    }

    LogConfig config() {
        return LogConfig.fromMap(overrides);
    }

    CompactedLog open() throws IOException {
        log = PartitionLog.open(dir, tp, config(), 0L, 0L, false, PRODUCER_ID_EXPIRATION_MS, clock);
        return this;
    }

    /** Closes the log and opens its files again as after a crash (no clean shutdown, recovery from 0). */
    void reopenAfterCrash() throws IOException {
        log.close();
        log = PartitionLog.open(dir, tp, config(), 0L, log.logStartOffset(), false, PRODUCER_ID_EXPIRATION_MS, clock);
    }

    /** One batch of {@code key=value} pairs ("k3=v1", or "k3=" for a tombstone) stamped now. */
    AppendResult.Appended put(String... pairs) {
        return append(batch(Compression.NONE, RecordBatch.NO_PRODUCER_ID, (short) -1, -1, pairs));
    }

    AppendResult.Appended append(MemoryRecords records) {
        AppendResult result = log.appendAsLeader(records, 7);
        if (result instanceof AppendResult.Appended appended) {
            return appended;
        }
        throw new AssertionError("append failed: " + result);
    }

    MemoryRecords batch(Compression compression, long producerId, short epoch, int baseSequence, String... pairs) {
        return batch(compression, producerId, epoch, baseSequence, false, pairs);
    }

    /** A transactional batch of producer {@code producerId} (epoch 0) from {@code baseSequence}, stamped now. */
    AppendResult.Appended txn(long producerId, int baseSequence, String... pairs) {
        return append(batch(Compression.NONE, producerId, (short) 0, baseSequence, true, pairs));
    }

    /** The coordinator's commit or abort marker for producer {@code producerId} (epoch 0, transaction version 1). */
    AppendResult.Appended marker(long producerId, boolean commit) {
        AppendResult result = log.appendTxnMarker(producerId, (short) 0, 1, commit, 7, (short) 1);
        if (result instanceof AppendResult.Appended appended) {
            return appended;
        }
        throw new AssertionError("marker refused: " + result);
    }

    private MemoryRecords batch(
            Compression compression,
            long producerId,
            short epoch,
            int baseSequence,
            boolean transactional,
            String... pairs) {
        ByteBuffer buffer = ByteBuffer.allocate(1024 + pairs.length * 256);
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                buffer,
                RecordBatch.MAGIC_VALUE_V2,
                compression,
                TimestampType.CREATE_TIME,
                0L,
                clock.millis(),
                producerId,
                epoch,
                baseSequence,
                transactional,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            String value = pair.substring(eq + 1);
            builder.append(new SimpleRecord(
                    clock.millis(), bytes(pair.substring(0, eq)), value.isEmpty() ? null : bytes(value)));
        }
        return builder.build();
    }

    void roll() {
        try {
            log.roll();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The cleanable range with {@code checkpoint}, with the high watermark at the log end offset: stable up
     * to the first open transaction, as the partition actor tells it.
     */
    CleanableRange range(long checkpoint) throws IOException {
        log.onHighWatermarkUpdated(log.logEndOffset());
        return CleanableRange.of(log, checkpoint, log.lastStableOffset(log.logEndOffset()), clock.millis());
    }

    /** Snapshots, cleans on this thread and swaps in, as the partition actor and a cleaner thread do. */
    CleaningResult clean(Cleaner cleaner, long checkpoint) throws Exception {
        CleaningResult result;
        try (CleaningSnapshot snapshot = CleaningSnapshot.take(log, range(checkpoint))) {
            result = cleaner.clean(snapshot, () -> false);
        }
        SwapOutcome outcome = result.swapInto(log);
        if (!outcome.isComplete()) {
            throw new AssertionError("swap refused: " + outcome.refusal());
        }
        return result;
    }

    static Cleaner cleaner() {
        return cleaner(128L * 1024 * 1024);
    }

    static Cleaner cleaner(long dedupeBytes) {
        return new Cleaner(dedupeBytes, 0.9, 64 * 1024, 1024 * 1024, new CleanerThrottler(Double.MAX_VALUE));
    }

    /**
     * Every record from the log start offset on: {@code "offset:key=value"}, tombstones {@code "offset:key=∅"},
     * transaction markers {@code "offset:COMMIT(producerId)"}.
     */
    List<String> records() throws IOException {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : batches()) {
            for (Record record : batch) {
                if (batch.isControlBatch()) {
                    ControlRecordType type = ControlRecordType.parse(record.key());
                    out.add(record.offset() + ":" + type + "(" + batch.producerId() + ")");
                    continue;
                }
                out.add(record.offset() + ":" + string(record.key()) + "="
                        + (record.hasValue() ? string(record.value()) : "∅"));
            }
        }
        return out;
    }

    /** Every batch from the log start offset to the log end offset, segment after segment. */
    List<RecordBatch> batches() throws IOException {
        List<RecordBatch> out = new ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            MemoryRecords records = log.readRecords(offset, Integer.MAX_VALUE, Long.MAX_VALUE);
            long before = offset;
            for (RecordBatch batch : records.batches()) {
                out.add(batch);
                offset = batch.nextOffset();
            }
            if (offset == before) {
                throw new AssertionError("no batch readable at offset " + offset + " of " + log);
            }
        }
        return out;
    }

    List<Long> segmentBaseOffsets() {
        return log.segments().stream().map(s -> s.baseOffset()).toList();
    }

    /**
     * One plain (non-idempotent, non-transactional) v2 batch of records with these keys (null for a
     * keyless record), each valued {@code "v"} and stamped {@code timestamp}.
     */
    static MemoryRecords plainBatch(Compression compression, long timestamp, String... keys) {
        MemoryRecordsBuilder builder = MemoryRecords.builder(
                ByteBuffer.allocate(4096),
                RecordBatch.MAGIC_VALUE_V2,
                compression,
                TimestampType.CREATE_TIME,
                0L,
                timestamp,
                RecordBatch.NO_PRODUCER_ID,
                (short) -1,
                -1,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH);
        for (String key : keys) {
            builder.append(new SimpleRecord(timestamp, key == null ? null : bytes(key), bytes("v")));
        }
        return builder.build();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(ByteBuffer buffer) {
        if (buffer == null) {
            return "null";
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
