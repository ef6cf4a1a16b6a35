package io.varve.storage.log;

import io.varve.storage.checkpoint.LeaderEpochCache;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.producer.ProducerAppend;
import io.varve.storage.producer.ProducerCheck;
import io.varve.storage.producer.ProducerStateTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's log: an ordered map of {@link LogSegment}s in {@code <data-dir>/<topic>-<partition>/}
 * with the log start offset, the log end offset (LEO), the recovery point (everything below it is
 * fsynced), the producer-state table for idempotence and the leader-epoch cache.
 *
 * <pre>
 *  logStartOffset        recoveryPoint                       logEndOffset
 *      |  [seg 0 ......][seg 1000 ......][seg 2100 (active) ....]|
 *      deleted by retention / DeleteRecords        appends go here
 * </pre>
 *
 * <p>Not thread-safe: confined to the actor that owns the partition, running on the storage
 * dispatcher. Client-caused failures come back as values carrying Kafka's error code ({@link
 * AppendResult.Rejected}, {@link ReadResult.Failed}); an {@link IOException} (or a fault writing a
 * memory-mapped index on a full disk) takes the log offline (every later call answers {@code
 * KAFKA_STORAGE_ERROR}) and, for a log opened from a {@link LogDirectory}, fails that directory
 * ({@link LogDirectory#reportFailure}).
 */
public final class PartitionLog {
    private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

    private final TopicPartition topicPartition;
    private final Path dir;
    private final Clock clock;
    private final ProducerStateTable producerState;
    private final LeaderEpochCache leaderEpochCache;
    private final TreeMap<Long, LogSegment> segments;
    private final List<PendingDeletion> pendingDeletions = new ArrayList<>();
    private volatile LogConfig config;

    private long logStartOffset;
    private long logEndOffset;
    private long recoveryPoint;
    private long lastFlushMs;
    private long pendingRollFlushOffset = -1L;
    private long truncationCount;
    private long cleanerTruncationMark = Long.MAX_VALUE;
    private boolean offline;
    private LogDirectory failures;

    private record PendingDeletion(LogSegment segment, long dueMs) {}

    PartitionLog(
            TopicPartition topicPartition,
            Path dir,
            LogConfig config,
            Clock clock,
            ProducerStateTable producerState,
            LeaderEpochCache leaderEpochCache,
            TreeMap<Long, LogSegment> segments,
            long logStartOffset,
            long recoveryPoint) {
        this.topicPartition = topicPartition;
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.producerState = producerState;
        this.leaderEpochCache = leaderEpochCache;
        this.segments = segments;
        this.logStartOffset = logStartOffset;
        this.logEndOffset = segments.lastEntry().getValue().readNextOffset();
        this.recoveryPoint = Math.min(recoveryPoint, logEndOffset);
        this.lastFlushMs = clock.millis();
    }

    /**
     * Opens the log in {@code dir}, creating it when absent and recovering it when the last shutdown
     * was not clean (see {@link LogLoader}).
     */
    public static PartitionLog open(
            Path dir,
            TopicPartition topicPartition,
            LogConfig config,
            long recoveryPoint,
            long logStartOffset,
            boolean hadCleanShutdown,
            long producerIdExpirationMs,
            Clock clock)
            throws IOException {
        return new LogLoader(
                        dir,
                        topicPartition,
                        config,
                        recoveryPoint,
                        logStartOffset,
                        hadCleanShutdown,
                        producerIdExpirationMs,
                        clock)
                .load();
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Path dir() {
        return dir;
    }

    public LogConfig config() {
        return config;
    }

    /** New topic configuration; takes effect for the next roll, append and retention pass. */
    public void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    public long recoveryPoint() {
        return recoveryPoint;
    }

    /** Where this log reports an I/O error: the directory it was opened from. */
    void reportFailuresTo(LogDirectory directory) {
        this.failures = directory;
    }

    public boolean isOffline() {
        return offline;
    }

    public ProducerStateTable producerState() {
        return producerState;
    }

    public LeaderEpochCache leaderEpochCache() {
        return leaderEpochCache;
    }

    /** The segments, oldest first (a copy). */
    public List<LogSegment> segments() {
        return List.copyOf(segments.values());
    }

    /** Bytes in all segments. */
    public long size() {
        long total = 0;
        for (LogSegment segment : segments.values()) {
            total += segment.size();
        }
        return total;
    }

    private LogSegment activeSegment() {
        return segments.lastEntry().getValue();
    }

    private String name() {
        return topicPartition.toString();
    }

    /**
     * Appends a producer's batches: validates them, checks idempotent producer state, assigns
     * offsets by rewriting each batch header in place (base offset, partition leader epoch, and the
     * max timestamp for {@code LogAppendTime} topics) and writes them to the active segment, rolling
     * it first when needed. The records' buffer is modified.
     */
    public AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch) {
        if (offline) {
            return storageError();
        }
        long nowMs = clock.millis();
        AppendResult.Rejected rejected = validate(records, nowMs);
        if (rejected != null) {
            return rejected;
        }
        boolean logAppendTime = config.messageTimestampType() == TimestampType.LOG_APPEND_TIME;
        ProducerAppend producerAppend = producerState.startAppend();
        long nextOffset = logEndOffset;
        int recordCount = 0;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.hasProducerId()) {
                ProducerCheck check = producerAppend.check(
                        batch.producerId(),
                        batch.producerEpoch(),
                        batch.baseSequence(),
                        batch.lastSequence(),
                        batch.isTransactional());
                if (check instanceof ProducerCheck.Duplicate duplicate) {
                    return duplicateOf(duplicate, batch);
                }
                if (check instanceof ProducerCheck.Rejected producerRejected) {
                    return new AppendResult.Rejected(producerRejected.error(), producerRejected.message());
                }
            }
            long delta = batch.lastOffset() - batch.baseOffset();
            batch.setLastOffset(nextOffset + delta);
            batch.setPartitionLeaderEpoch(leaderEpoch);
            if (logAppendTime) {
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, nowMs);
            }
            ProducerBatches.stage(producerAppend, batch);
            nextOffset += delta + 1;
            recordCount += (int) (delta + 1);
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
        }
        long firstOffset = logEndOffset;
        if (!append(records, firstOffset, nextOffset - 1, maxTimestamp, producerAppend, leaderEpoch)) {
            return storageError();
        }
        return new AppendResult.Appended(
                firstOffset, nextOffset - 1, logAppendTime ? nowMs : -1L, logStartOffset, recordCount, false);
    }

    /** Validation touches no log state: even a bug in it only rejects this append. */
    private AppendResult.Rejected validate(MemoryRecords records, long nowMs) {
        try {
            return BatchValidator.validate(records, config, nowMs, name());
        } catch (RuntimeException | StackOverflowError e) {
            log.error(
                    "validating an append of {} bytes to {} failed unexpectedly; rejecting it",
                    records.sizeInBytes(),
                    name(),
                    e);
            return new AppendResult.Rejected(Errors.UNKNOWN_SERVER_ERROR, "the batch could not be validated: " + e);
        }
    }

    /**
     * Appends batches replicated from the leader byte for byte, keeping their offsets, leader epochs
     * and producer ids (a trailing partial batch is left out): each batch's CRC is checked ({@code CORRUPT_MESSAGE} otherwise), offsets must
     * continue the log ({@code UNKNOWN_SERVER_ERROR} otherwise, as Kafka's follower raises), idempotent
     * producer state is updated as on the leader, and the leader-epoch cache gets an entry at the first
     * batch of every epoch, even when one fetch spans several epochs, so the follower's lineage equals
     * the leader's.
     */
    public AppendResult appendAsFollower(MemoryRecords records) {
        if (offline) {
            return storageError();
        }
        ProducerAppend producerAppend = producerState.startAppend();
        long expected = logEndOffset;
        long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        int recordCount = 0;
        List<long[]> epochStarts = new ArrayList<>();
        int lastEpoch = leaderEpochCache.latestEpoch().orElse(-1);
        int validBytes = 0;
        for (MutableRecordBatch batch : records.batches()) {
            if (batch.baseOffset() < expected) {
                return new AppendResult.Rejected(
                        Errors.UNKNOWN_SERVER_ERROR,
                        "out of order offsets: batch at " + batch.baseOffset() + " but log end offset is " + expected
                                + " in " + name());
            }
            try {
                batch.ensureValid();
            } catch (org.apache.kafka.common.errors.CorruptRecordException e) {
                return new AppendResult.Rejected(
                        Errors.CORRUPT_MESSAGE,
                        "replicated batch at offset " + batch.baseOffset() + " of " + name() + " is corrupt: "
                                + e.getMessage());
            }
            ProducerBatches.stage(producerAppend, batch);
            int epoch = batch.partitionLeaderEpoch();
            if (epoch >= 0 && epoch != lastEpoch) {
                epochStarts.add(new long[] {epoch, batch.baseOffset()});
                lastEpoch = epoch;
            }
            expected = batch.nextOffset();
            recordCount += (int) (batch.nextOffset() - batch.baseOffset());
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            validBytes += batch.sizeInBytes();
        }
        if (recordCount == 0) {
            return new AppendResult.Rejected(Errors.CORRUPT_MESSAGE, "no record batch in append to " + name());
        }
        long firstOffset = records.batches().iterator().next().baseOffset();
        if (!append(trimmed(records, validBytes), firstOffset, expected - 1, maxTimestamp, producerAppend, -1)) {
            return storageError();
        }
        try {
            for (long[] start : epochStarts) {
                leaderEpochCache.assign((int) start[0], start[1]);
            }
        } catch (IOException e) {
            markOffline("leader epoch checkpoint", e);
            return storageError();
        }
        return new AppendResult.Appended(firstOffset, expected - 1, -1L, logStartOffset, recordCount, false);
    }

    /**
     * The whole batches only: a fetch answer may end in a partial batch (a read stops at its max
     * bytes, as Kafka's does), which must never reach the segment (Kafka's {@code trimInvalidBytes}).
     */
    private static MemoryRecords trimmed(MemoryRecords records, int validBytes) {
        if (validBytes == records.sizeInBytes()) {
            return records;
        }
        ByteBuffer buffer = records.buffer().duplicate();
        buffer.limit(buffer.position() + validBytes);
        return MemoryRecords.readableRecords(buffer.slice());
    }

    /**
     * Records that {@code leaderEpoch} starts at the log end offset, as a new leader does before it
     * appends (Kafka's {@code maybeAssignEpochStartOffset}), so followers and consumers see the epoch in
     * the lineage even if it never writes. Nothing changes when the epoch is already the latest.
     */
    public void assignEpochStartOffset(int leaderEpoch) throws IOException {
        if (leaderEpochCache.latestEpoch().orElse(-1) < leaderEpoch) {
            leaderEpochCache.assign(leaderEpoch, logEndOffset);
        }
    }

    /**
     * A follower follows its leader's log start offset (records the leader deleted), up to its own log
     * end offset. Returns whether it moved.
     */
    public boolean maybeIncrementLogStartOffset(long leaderLogStartOffset) throws IOException {
        long target = Math.min(leaderLogStartOffset, logEndOffset);
        if (target <= logStartOffset) {
            return false;
        }
        deleteRecordsBefore(target);
        return true;
    }

    private AppendResult duplicateOf(ProducerCheck.Duplicate duplicate, RecordBatch batch) {
        var original = duplicate.original();
        int count = (int) (original.lastOffset() - original.firstOffset() + 1);
        log.debug(
                "duplicate batch of producer {} seq {}..{} in {}: answering original offsets {}..{}",
                batch.producerId(),
                original.firstSeq(),
                original.lastSeq(),
                name(),
                original.firstOffset(),
                original.lastOffset());
        return new AppendResult.Appended(
                original.firstOffset(), original.lastOffset(), -1L, logStartOffset, count, true);
    }

    /**
     * Appends a transaction marker for the coordinator (the WriteTxnMarkers path; clients can never
     * write control batches): one control batch at the log end offset holding a commit or abort
     * for {@code producerId}, after the checks of {@link ProducerAppend#checkMarker} (coordinator
     * epoch fencing, producer epoch). The producer's open transaction here ends; an abort is
     * indexed in the segment's {@code .txnindex}.
     *
     * @param transactionVersion the coordinator's transaction version: from 2 every marker bumps
     *     the producer epoch
     */
    public AppendResult appendTxnMarker(
            long producerId,
            short producerEpoch,
            int coordinatorEpoch,
            boolean commit,
            int leaderEpoch,
            short transactionVersion) {
        if (offline) {
            return storageError();
        }
        ProducerAppend producerAppend = producerState.startAppend();
        ProducerCheck check =
                producerAppend.checkMarker(producerId, producerEpoch, coordinatorEpoch, transactionVersion);
        if (check instanceof ProducerCheck.Rejected rejected) {
            return new AppendResult.Rejected(rejected.error(), rejected.message());
        }
        long offset = logEndOffset;
        long nowMs = clock.millis();
        EndTransactionMarker marker =
                new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch);
        MemoryRecords records =
                MemoryRecords.withEndTransactionMarker(offset, nowMs, leaderEpoch, producerId, producerEpoch, marker);
        producerAppend.stageMarker(producerId, producerEpoch, coordinatorEpoch, offset, nowMs, !commit);
        if (!append(records, offset, offset, nowMs, producerAppend, leaderEpoch)) {
            return storageError();
        }
        return new AppendResult.Appended(offset, offset, -1L, logStartOffset, 1, false);
    }

    /**
     * The first offset of the oldest transaction still open here or whose marker the high
     * watermark has not passed, never below the log start offset; empty when there is none. The last
     * stable offset is the smaller of it and the high watermark.
     */
    public OptionalLong firstUnstableOffset() {
        OptionalLong first = producerState.firstUnstableOffset();
        return first.isPresent() ? OptionalLong.of(Math.max(first.getAsLong(), logStartOffset)) : first;
    }

    /** The last stable offset for a high watermark: the first unstable offset if it is lower. */
    public long lastStableOffset(long highWatermark) {
        OptionalLong first = firstUnstableOffset();
        return first.isPresent() && first.getAsLong() < highWatermark ? first.getAsLong() : highWatermark;
    }

    /** The high watermark moved to {@code highWatermark}: transactions whose marker it passed are stable. */
    public void onHighWatermarkUpdated(long highWatermark) {
        producerState.onHighWatermarkUpdated(highWatermark);
    }

    /**
     * The aborted transactions a read_committed fetch from {@code fetchOffset} that returned {@code
     * slice} must report: those overlapping the fetch offset up to the first offset after the slice
     * (Kafka's upper bound), so the consumer can drop their records.
     */
    public List<AbortedTxn> abortedTransactions(long fetchOffset, LogSlice slice) throws IOException {
        if (slice.isEmpty()) {
            return List.of();
        }
        try {
            return LogTransactions.collectAborted(segments, fetchOffset, offsetAfter(slice));
        } catch (IOException e) {
            markOffline("read aborted transactions", e);
            throw e;
        }
    }

    /**
     * An offset above every record {@code slice} holds, as Kafka bounds it: from the offset index, the first
     * indexed batch starting at or after the slice's end, else the next segment's base offset, else the log
     * end. (The slice may end inside a batch when the fetch's max bytes cut it, so its end is no batch
     * boundary to read from.)
     */
    private long offsetAfter(LogSlice slice) {
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(slice.firstBatchOffset());
        LogSegment segment = entry.getValue();
        int end = slice.position() + slice.length();
        if (end < segment.size()) {
            OptionalLong bound = segment.offsetBoundAfter(end);
            if (bound.isPresent()) {
                return bound.getAsLong();
            }
        }
        Long next = segments.higherKey(entry.getKey());
        return next == null ? logEndOffset : next;
    }

    private boolean append(
            MemoryRecords records,
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            ProducerAppend producerAppend,
            int leaderEpoch) {
        try {
            LogSegment segment = maybeRoll(records.sizeInBytes(), maxTimestamp, firstOffset, lastOffset);
            segment.append(records);
            if (leaderEpoch >= 0) {
                leaderEpochCache.assign(leaderEpoch, firstOffset);
            }
            logEndOffset = lastOffset + 1;
            producerState.commit(producerAppend);
            LogTransactions.completeTransactions(producerAppend, producerState, segment);
            producerState.updateMapEndOffset(logEndOffset);
            if (logEndOffset - recoveryPoint >= config.flushMessages()) {
                flush();
            }
            return true;
        } catch (IOException | UncheckedIOException | InternalError e) {
            // InternalError: the JVM's answer to SIGBUS when a memory-mapped index page cannot be
            // allocated (a full tmpfs or a sparse file on a full disk)
            markOffline("append", e);
            return false;
        }
    }

    private LogSegment maybeRoll(int incomingBytes, long maxTimestamp, long firstOffset, long lastOffset)
            throws IOException {
        LogSegment active = activeSegment();
        if (active.shouldRoll(config, incomingBytes, maxTimestamp, lastOffset, clock.millis())) {
            log.debug("rolling {} at offset {} (segment {} of {} bytes)", name(), firstOffset, active, active.size());
            return rollAt(Math.max(firstOffset, logEndOffset));
        }
        return active;
    }

    /**
     * Starts a new active segment at the log end offset: the old one gets its final time-index
     * entry and trimmed indexes and a producer-state snapshot is taken. The rolled segments are
     * flushed off the append path, as Kafka does: see {@link #takeRollFlush()}.
     */
    public LogSegment roll() throws IOException {
        return rollAt(logEndOffset);
    }

    /**
     * Rolls to a segment based at {@code baseOffset}, which is above the log end offset when a
     * replicated batch skips offsets (compacted data) beyond what the old segment can address.
     */
    private LogSegment rollAt(long baseOffset) throws IOException {
        LogSegment active = activeSegment();
        if (active.size() == 0 && active.baseOffset() == baseOffset) {
            return active;
        }
        try {
            if (active.size() == 0) {
                segments.remove(active.baseOffset());
                active.deleteFiles();
            } else {
                active.onBecomeInactiveSegment();
                producerState.updateMapEndOffset(logEndOffset);
                producerState.takeSnapshot();
            }
            LogSegment next = LogSegment.open(dir, baseOffset, config, rollJitterMs(config), clock.millis());
            segments.put(baseOffset, next);
            pendingRollFlushOffset = Math.max(pendingRollFlushOffset, logEndOffset);
            return next;
        } catch (IOException e) {
            markOffline("roll", e);
            throw e;
        }
    }

    static long rollJitterMs(LogConfig config) {
        long bound = Math.min(config.segmentJitterMs(), config.maxSegmentMs());
        return bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound);
    }

    /**
     * Reads from {@code startOffset}: whole batches, at most {@code maxBytes} (but the first batch
     * whole with {@code minOneBatch}), never past {@code maxOffset} (exclusive: the high watermark or
     * last stable offset). {@code OFFSET_OUT_OF_RANGE} below the log start or above the log end. The
     * slice holds the segment file for a zero-copy send: the caller releases it ({@link LogSlice#release()}).
     */
    public ReadResult read(long startOffset, int maxBytes, long maxOffset, boolean minOneBatch) {
        return read(startOffset, maxBytes, maxOffset, minOneBatch, 0);
    }

    /**
     * As {@link #read(long, int, long, boolean)}, but a slice of at most {@code copyMaxBytes} comes
     * back with its bytes read into memory instead of holding the file: for small fetches the copy
     * costs less than a {@code sendfile} hand-off to another thread; large ones stay zero-copy.
     */
    public ReadResult read(long startOffset, int maxBytes, long maxOffset, boolean minOneBatch, int copyMaxBytes) {
        if (offline) {
            return new ReadResult.Failed(Errors.KAFKA_STORAGE_ERROR, name() + " is offline");
        }
        if (startOffset < logStartOffset || startOffset > logEndOffset) {
            return new ReadResult.Failed(
                    Errors.OFFSET_OUT_OF_RANGE,
                    "offset " + startOffset + " is out of range for " + name() + ": log start offset " + logStartOffset
                            + ", log end offset " + logEndOffset);
        }
        long upper = Math.min(maxOffset, logEndOffset);
        Map.Entry<Long, LogSegment> entry = segments.floorEntry(startOffset);
        while (entry != null && startOffset < upper) {
            LogSegment segment = entry.getValue();
            LogSegment.Range range = segment.read(startOffset, maxBytes, maxPosition(segment, upper), minOneBatch);
            if (range != null) {
                return slice(segment, range, copyMaxBytes);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return new ReadResult.Data(LogSlice.empty(activeSegment().size(), startOffset), logStartOffset, logEndOffset);
    }

    private ReadResult slice(LogSegment segment, LogSegment.Range range, int copyMaxBytes) {
        int position = range.position();
        int length = range.length();
        LogSlice slice;
        try {
            if (length == 0) {
                slice = LogSlice.empty(position, range.firstBatchOffset());
            } else if (length <= copyMaxBytes) {
                slice = new LogSlice(
                        null, position, length, range.firstBatchOffset(), segment.readBytes(position, length));
            } else {
                slice = LogSlice.ofFile(segment.retainFile(), position, length, range.firstBatchOffset());
            }
        } catch (IOException e) {
            // e.g. no file descriptor left: this read fails (consumers retry), the log stays online
            log.warn("reading {} bytes at position {} of {} failed", length, position, segment, e);
            return new ReadResult.Failed(
                    Errors.KAFKA_STORAGE_ERROR,
                    "reading " + length + " bytes of segment " + segment.baseOffset() + " of " + name() + " failed: "
                            + e.getMessage());
        }
        return new ReadResult.Data(slice, logStartOffset, logEndOffset);
    }

    /** The file position in {@code segment} where batches at or above {@code upper} begin. */
    private int maxPosition(LogSegment segment, long upper) {
        if (upper >= logEndOffset) {
            return segment.size();
        }
        Map.Entry<Long, LogSegment> upperSegment = segments.floorEntry(upper);
        if (upperSegment == null || upperSegment.getKey() > segment.baseOffset()) {
            return segment.size();
        }
        var position = segment.translateOffset(upper);
        return position == null ? segment.size() : position.position;
    }

    /**
     * Reads batches into memory (replication and compaction paths), same bounds as {@link #read}.
     */
    public MemoryRecords readRecords(long startOffset, int maxBytes, long maxOffset) throws IOException {
        ReadResult result = read(startOffset, maxBytes, maxOffset, true, Integer.MAX_VALUE);
        if (result instanceof ReadResult.Failed failed && failed.error() == Errors.KAFKA_STORAGE_ERROR) {
            throw new IOException(failed.message());
        }
        if (!(result instanceof ReadResult.Data data) || data.slice().isEmpty()) {
            return MemoryRecords.EMPTY;
        }
        return MemoryRecords.readableRecords(data.slice().bytes());
    }

    /**
     * ListOffsets by timestamp: the first record whose timestamp is ≥ {@code timestamp} (KIP-33),
     * empty when every record is older.
     */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= timestamp) {
                Optional<TimestampAndOffset> found =
                        segment.findOffsetByTimestamp(timestamp, Math.max(logStartOffset, segment.baseOffset()));
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    /** ListOffsets MAX_TIMESTAMP (KIP-734): the record with the greatest timestamp, if any. */
    public Optional<TimestampAndOffset> maxTimestampAndOffset() {
        LogSegment best = null;
        for (LogSegment segment : segments.values()) {
            if (segment.maxTimestampSoFar() >= 0
                    && (best == null || segment.maxTimestampSoFar() > best.maxTimestampSoFar())) {
                best = segment;
            }
        }
        if (best == null) {
            return Optional.empty();
        }
        return best.findOffsetByTimestamp(best.maxTimestampSoFar(), Math.max(logStartOffset, best.baseOffset()));
    }

    /** Forces everything up to the log end offset to disk and moves the recovery point there. */
    public void flush() throws IOException {
        if (recoveryPoint >= logEndOffset) {
            lastFlushMs = clock.millis();
            return;
        }
        try {
            Long from = segments.floorKey(recoveryPoint);
            for (LogSegment segment : segments.tailMap(from == null ? segments.firstKey() : from, true)
                    .values()) {
                segment.flush();
            }
            recoveryPoint = logEndOffset;
            lastFlushMs = clock.millis();
        } catch (IOException e) {
            markOffline("flush", e);
            throw e;
        }
    }

    /**
     * The fsync owed for segments rolled since the last call, as a task the owner runs on another
     * storage-dispatcher thread (those segments are no longer written, so forcing them there is
     * safe), then reports with {@link #onFlushed}. Empty when nothing is owed.
     */
    public Optional<SegmentFlush> takeRollFlush() {
        long upTo = pendingRollFlushOffset;
        pendingRollFlushOffset = -1L;
        if (upTo <= recoveryPoint) {
            return Optional.empty();
        }
        Long from = segments.floorKey(recoveryPoint);
        List<LogSegment> rolled =
                List.copyOf(segments.subMap(from == null ? segments.firstKey() : from, true, upTo, false)
                        .values());
        return Optional.of(new SegmentFlush(rolled, upTo));
    }

    /** A {@link SegmentFlush} finished: everything below {@code offset} is on disk. */
    public void onFlushed(long offset) {
        recoveryPoint = Math.max(recoveryPoint, Math.min(offset, logEndOffset));
    }

    /** {@code flush.ms}: flushes when that long has passed since the last flush. */
    public void maybeFlushByTime() throws IOException {
        if (clock.millis() - lastFlushMs >= config.flushMs()) {
            flush();
        }
    }

    /** Drops producers idle for longer than the producer-id expiration (the owner calls it periodically). */
    public void removeExpiredProducers() {
        producerState.removeExpiredProducers();
    }

    LogRetention retention() {
        return new LogRetention(this);
    }

    /**
     * Applies retention by time and size and the log start offset to the segments wholly below
     * {@code highWatermark}, the active one included; see {@link LogRetention}.
     */
    public int deleteOldSegments(long highWatermark) throws IOException {
        return retention().deleteOldSegments(highWatermark);
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} and deletes the segments now
     * wholly below it. Returns the new log start offset (Kafka's low watermark).
     */
    public long deleteRecordsBefore(long offset) throws IOException {
        if (offset > logEndOffset) {
            throw new IllegalArgumentException(
                    "offset " + offset + " is above the log end offset " + logEndOffset + " of " + name());
        }
        if (offset > logStartOffset) {
            advanceLogStartOffset(offset);
            retention().deleteSegmentsBelowLogStartOffset();
        }
        return logStartOffset;
    }

    void advanceLogStartOffset(long newLogStartOffset) throws IOException {
        if (newLogStartOffset <= logStartOffset) {
            return;
        }
        logStartOffset = newLogStartOffset;
        leaderEpochCache.truncateFromStart(newLogStartOffset);
        producerState.onLogStartOffsetIncremented(newLogStartOffset);
    }

    /** Removes {@code segment} from the log and schedules its files for deletion. */
    void removeSegment(LogSegment segment) throws IOException {
        segments.remove(segment.baseOffset());
        try {
            segment.renameForDeletion();
        } catch (IOException e) {
            markOffline("delete segment", e);
            throw e;
        }
        pendingDeletions.add(new PendingDeletion(segment, clock.millis() + config.fileDeleteDelayMs()));
    }

    TreeMap<Long, LogSegment> segmentMap() {
        return segments;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * How many truncations this log has had since it was opened: the log cleaner refuses to swap in
     * segments it cleaned from a view taken before one.
     */
    public long truncationCount() {
        return truncationCount;
    }

    /**
     * The lowest offset this log was truncated to since the log cleaner last accounted for a truncation
     * ({@code Long.MAX_VALUE} if none). A follower truncated below the cleaner's checkpoint that grows
     * back past it holds dirty records below the checkpoint: the cleaner starts there instead (Kafka
     * moves the checkpoint back on truncation). See {@code CleanableRange.of}.
     */
    public long cleanerTruncationMark() {
        return cleanerTruncationMark;
    }

    /** The cleaner's checkpoint now accounts for every truncation so far. */
    public void clearCleanerTruncationMark() {
        cleanerTruncationMark = Long.MAX_VALUE;
    }

    /**
     * Swaps the log cleaner's {@code .cleaned} segment at {@code cleanedBaseOffset} in for {@code
     * oldSegments}, crash-safely (see {@link SegmentSwap}); refused when the log changed under the
     * cleaner. Called by the owner; an I/O error takes the log offline.
     */
    public SwapResult replaceSegments(
            long cleanedBaseOffset,
            List<LogSegment> oldSegments,
            List<Integer> sizesAtSnapshot,
            long truncationCountAtSnapshot) {
        if (offline) {
            CleanedSegment.deleteFilesQuietly(dir, cleanedBaseOffset);
            return new SwapResult.Refused(name() + " is offline");
        }
        try {
            return new SegmentSwap(this)
                    .replace(cleanedBaseOffset, oldSegments, sizesAtSnapshot, truncationCountAtSnapshot);
        } catch (IOException | UncheckedIOException e) {
            markOffline("swap in cleaned segment " + cleanedBaseOffset, e);
            return new SwapResult.Refused(name() + " went offline swapping in cleaned segment " + cleanedBaseOffset);
        }
    }

    /** Opens the files of a segment already in the directory (a swapped-in cleaned segment). */
    LogSegment openSegment(long baseOffset) throws IOException {
        return LogSegment.open(dir, baseOffset, config, rollJitterMs(config), clock.millis());
    }

    /** Deletes the {@code .deleted} files whose {@code file.delete.delay.ms} has passed. */
    public int maybeDeleteFilesPastDelay() throws IOException {
        long nowMs = clock.millis();
        int deleted = 0;
        var it = pendingDeletions.iterator();
        while (it.hasNext()) {
            PendingDeletion pending = it.next();
            if (pending.dueMs() <= nowMs) {
                pending.segment().deleteFiles();
                it.remove();
                deleted++;
            }
        }
        return deleted;
    }

    /** Segments renamed {@code .deleted} and waiting for their delay. */
    public int pendingDeletionCount() {
        return pendingDeletions.size();
    }

    /**
     * Removes every record at or above {@code targetOffset} (follower truncation to the leader's
     * log); producer state and the leader-epoch cache are truncated with it.
     */
    public void truncateTo(long targetOffset) throws IOException {
        if (targetOffset >= logEndOffset) {
            // nothing to cut from the log, but an epoch that starts at its end holds no record: this
            // replica led at that epoch and appended nothing before another leader was elected. Left
            // in place, the follower would keep fetching with it as its last epoch, and its leader,
            // which never knew it, would answer a diverging epoch at every fetch
            try {
                leaderEpochCache.truncateFromEnd(logEndOffset);
            } catch (IOException e) {
                markOffline("truncate", e);
                throw e;
            }
            return;
        }
        if (targetOffset < segments.firstKey() || targetOffset < logStartOffset) {
            truncateFullyAndStartAt(targetOffset);
            return;
        }
        truncationCount++;
        cleanerTruncationMark = Math.min(cleanerTruncationMark, targetOffset);
        try {
            for (LogSegment segment :
                    List.copyOf(segments.tailMap(targetOffset, false).values())) {
                removeSegment(segment);
            }
            LogSegment active = activeSegment();
            active.truncateTo(targetOffset);
            if (active.size() == 0) {
                active.resetCreatedMs(clock.millis());
            }
            logEndOffset = targetOffset;
            recoveryPoint = Math.min(recoveryPoint, targetOffset);
            leaderEpochCache.truncateFromEnd(targetOffset);
            LogLoader.rebuildProducerState(this, producerState, logStartOffset, logEndOffset);
        } catch (IOException e) {
            markOffline("truncate", e);
            throw e;
        }
    }

    /** Deletes every segment and starts an empty log at {@code newOffset}. */
    public void truncateFullyAndStartAt(long newOffset) throws IOException {
        truncationCount++;
        cleanerTruncationMark = Math.min(cleanerTruncationMark, newOffset);
        try {
            for (LogSegment segment : List.copyOf(segments.values())) {
                removeSegment(segment);
            }
            segments.put(newOffset, LogSegment.open(dir, newOffset, config, rollJitterMs(config), clock.millis()));
            logStartOffset = newOffset;
            logEndOffset = newOffset;
            recoveryPoint = newOffset;
            leaderEpochCache.clear();
            producerState.truncateFullyAndStartAt(newOffset);
        } catch (IOException e) {
            markOffline("truncate fully", e);
            throw e;
        }
    }

    /**
     * Clean close: flushes, writes a producer-state snapshot at the log end offset, writes the final
     * time-index entry and trims the active segment's indexes.
     */
    public void close() throws IOException {
        if (offline) {
            return;
        }
        if (failures != null && failures.failed()) {
            // another log of the directory failed: no flush, snapshot or index trim on a failing disk,
            // the next start recovers this log from its recovery point
            for (LogSegment segment : segments.values()) {
                segment.closeHandlers();
            }
            offline = true;
            return;
        }
        try {
            flush();
            producerState.updateMapEndOffset(logEndOffset);
            producerState.takeSnapshot();
            for (LogSegment segment : segments.values()) {
                segment.close();
            }
            for (PendingDeletion pending : pendingDeletions) {
                pending.segment().closeHandlers();
            }
        } catch (IOException e) {
            markOffline("close", e);
            throw e;
        }
    }

    private AppendResult.Rejected storageError() {
        return new AppendResult.Rejected(Errors.KAFKA_STORAGE_ERROR, name() + " is offline after an I/O error");
    }

    private void markOffline(String operation, Throwable e) {
        if (!offline) {
            log.error("{} failed for {} in {}: the log is now offline", operation, name(), dir, e);
            offline = true;
            for (LogSegment segment : segments.values()) {
                segment.closeHandlers();
            }
            if (failures != null) {
                failures.reportFailure(operation + " of " + name(), e);
            }
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + name() + ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset
                + ", segments=" + segments.size() + ")";
    }
}
