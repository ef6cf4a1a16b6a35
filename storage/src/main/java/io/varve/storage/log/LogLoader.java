package io.varve.storage.log;

import io.varve.storage.checkpoint.LeaderEpochCache;
import io.varve.storage.checkpoint.LeaderEpochCheckpointFile;
import io.varve.storage.index.CorruptIndexException;
import io.varve.storage.producer.BatchMetadata;
import io.varve.storage.producer.CompletedTxn;
import io.varve.storage.producer.ProducerAppend;
import io.varve.storage.producer.ProducerEntry;
import io.varve.storage.producer.ProducerStateTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition directory into a {@link PartitionLog}, recovering it after an unclean stop.
 *
 * <ol>
 *   <li>A segment swap a crash interrupted is completed ({@link InterruptedSwaps}); leftovers are
 *       removed: {@code .deleted}, {@code .cleaned} and {@code .tmp} files, and index files whose
 *       {@code .log} is gone.
 *   <li>Each {@code .log} becomes a segment; a missing or corrupt index is rebuilt from the batches.
 *   <li>Without a clean shutdown, every segment from the one holding the recovery point is scanned:
 *       each batch's size, magic, CRC and offset order is checked and the indexes rebuilt; the first
 *       torn or corrupt batch and everything after it (including later segments) is truncated.
 *   <li>Producer state is reloaded from the newest usable snapshot and replayed from there to the
 *       log end, markers ending transactions; the {@code .txnindex} of every segment whose indexes
 *       were rebuilt is rebuilt from the abort markers in it, which needs the producer state from
 *       before that segment: snapshots past the first rebuilt segment are deleted first, as Kafka
 *       does. The leader-epoch cache is truncated to the log's bounds.
 * </ol>
 *
 * Runs once per log, on the storage dispatcher, before the log is handed to its owner.
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);
    static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
    /**
     * How much of the log before a loaded producer snapshot is read back for each producer's earlier
     * batches: enough for 5 in-flight batches of a few busy producers; only batch headers are read.
     */
    static final int EARLIER_BATCHES_SCAN_BYTES = 1024 * 1024;

    private final Path dir;
    private final TopicPartition topicPartition;
    private final LogConfig config;
    private final long recoveryPoint;
    private final long checkpointedLogStartOffset;
    private final boolean hadCleanShutdown;
    private final long producerIdExpirationMs;
    private final Clock clock;
    /** Base offsets of the segments whose indexes (the txn index among them) were rebuilt. */
    private final Set<Long> rebuiltSegments = new TreeSet<>();

    LogLoader(
            Path dir,
            TopicPartition topicPartition,
            LogConfig config,
            long recoveryPoint,
            long logStartOffset,
            boolean hadCleanShutdown,
            long producerIdExpirationMs,
            Clock clock) {
        this.dir = dir;
        this.topicPartition = topicPartition;
        this.config = config;
        this.recoveryPoint = recoveryPoint;
        this.checkpointedLogStartOffset = logStartOffset;
        this.hadCleanShutdown = hadCleanShutdown;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.clock = clock;
    }

    PartitionLog load() throws IOException {
        Files.createDirectories(dir);
        InterruptedSwaps.complete(dir);
        TreeSet<Long> baseOffsets = removeLeftoversAndListSegments();
        TreeMap<Long, LogSegment> segments = new TreeMap<>();
        long firstRecovered = firstRecoveredSegment(baseOffsets);
        for (long baseOffset : baseOffsets) {
            segments.put(baseOffset, openSegment(baseOffset, baseOffset >= firstRecovered));
        }
        if (!hadCleanShutdown && !segments.isEmpty()) {
            recoverFrom(segments, recoveryPoint);
        }
        if (segments.isEmpty()) {
            long start = Math.max(0, checkpointedLogStartOffset);
            segments.put(start, LogSegment.open(dir, start, config, PartitionLog.rollJitterMs(config), clock.millis()));
        }
        for (LogSegment closed : segments.headMap(segments.lastKey()).values()) {
            // opening preallocated their indexes; only the active segment takes appends
            closed.onBecomeInactiveSegment();
        }
        long logStartOffset = Math.max(checkpointedLogStartOffset, segments.firstKey());
        ProducerStateTable producerState = new ProducerStateTable(dir, producerIdExpirationMs, clock::millis);
        LeaderEpochCache epochCache =
                new LeaderEpochCache(new LeaderEpochCheckpointFile(dir.resolve(LEADER_EPOCH_CHECKPOINT)));
        long startRecoveryPoint = hadCleanShutdown ? Long.MAX_VALUE : recoveryPoint;
        PartitionLog partitionLog = new PartitionLog(
                topicPartition,
                dir,
                config,
                clock,
                producerState,
                epochCache,
                segments,
                logStartOffset,
                startRecoveryPoint);
        long logEndOffset = partitionLog.logEndOffset();
        logStartOffset = Math.min(logStartOffset, logEndOffset);
        epochCache.truncateFromEnd(logEndOffset);
        epochCache.truncateFromStart(logStartOffset);
        rebuiltSegments.retainAll(segments.keySet());
        rebuildProducerState(partitionLog, producerState, logStartOffset, logEndOffset, rebuiltSegments);
        if (!hadCleanShutdown) {
            partitionLog.flush();
        }
        log.info(
                "loaded {}: {} segments, log start offset {}, log end offset {}, clean shutdown {}",
                topicPartition,
                segments.size(),
                logStartOffset,
                logEndOffset,
                hadCleanShutdown);
        return partitionLog;
    }

    private TreeSet<Long> removeLeftoversAndListSegments() throws IOException {
        List<Path> files;
        try (Stream<Path> listing = Files.list(dir)) {
            files = listing.toList();
        }
        TreeSet<Long> logs = new TreeSet<>();
        List<Path> indexes = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (name.endsWith(LogFiles.DELETED_SUFFIX)
                    || name.endsWith(LogFiles.CLEANED_SUFFIX)
                    || name.endsWith(LogFiles.SWAP_SUFFIX)
                    || name.endsWith(".tmp")) {
                Files.deleteIfExists(file);
                continue;
            }
            OptionalLong offset = LogFiles.offsetFromFileName(name);
            if (offset.isEmpty()) {
                continue;
            }
            if (name.endsWith(LogFiles.LOG_SUFFIX)) {
                logs.add(offset.getAsLong());
            } else if (name.endsWith(LogFiles.INDEX_SUFFIX)
                    || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)
                    || name.endsWith(LogFiles.TXN_INDEX_SUFFIX)) {
                indexes.add(file);
            }
        }
        for (Path index : indexes) {
            long offset =
                    LogFiles.offsetFromFileName(index.getFileName().toString()).getAsLong();
            if (!logs.contains(offset)) {
                log.warn("removing orphan index file {} of {}", index, topicPartition);
                Files.deleteIfExists(index);
            }
        }
        return logs;
    }

    /**
     * The base offset of the first segment {@link #recoverFrom} reads after an unclean shutdown (the
     * one holding the recovery point, or the first), {@code Long.MAX_VALUE} after a clean one.
     */
    private long firstRecoveredSegment(TreeSet<Long> baseOffsets) {
        if (hadCleanShutdown || baseOffsets.isEmpty()) {
            return Long.MAX_VALUE;
        }
        Long floor = baseOffsets.floor(recoveryPoint);
        return floor == null ? baseOffsets.first() : floor;
    }

    /**
     * Opens a segment, rebuilding missing or corrupt indexes. A segment that recovery reads anyway
     * ({@code recovered}) is left to it: a crash leaves its indexes at their preallocated size, which
     * fails the sanity check as a matter of course and is not worth a warning.
     */
    private LogSegment openSegment(long baseOffset, boolean recovered) throws IOException {
        boolean indexesExist = Files.exists(LogFiles.offsetIndexFile(dir, baseOffset))
                && Files.exists(LogFiles.timeIndexFile(dir, baseOffset));
        LogSegment segment;
        try {
            segment = LogSegment.open(dir, baseOffset, config, PartitionLog.rollJitterMs(config), clock.millis());
            segment.offsetIndex().sanityCheck();
            segment.timeIndex().sanityCheck();
            segment.txnIndex().sanityCheck();
            if (indexesExist) {
                return segment;
            }
            log.warn("rebuilding missing index files of segment {} of {}", baseOffset, topicPartition);
        } catch (CorruptIndexException e) {
            if (recovered) {
                log.info(
                        "rebuilding the indexes of segment {} of {} after an unclean shutdown",
                        baseOffset,
                        topicPartition);
                log.debug("the indexes of segment {} of {}: {}", baseOffset, topicPartition, e.getMessage());
            } else {
                log.warn(
                        "rebuilding corrupt index of segment {} of {}: {}", baseOffset, topicPartition, e.getMessage());
            }
            Files.deleteIfExists(LogFiles.offsetIndexFile(dir, baseOffset));
            Files.deleteIfExists(LogFiles.timeIndexFile(dir, baseOffset));
            Files.deleteIfExists(LogFiles.txnIndexFile(dir, baseOffset));
            segment = LogSegment.open(dir, baseOffset, config, PartitionLog.rollJitterMs(config), clock.millis());
        }
        rebuiltSegments.add(baseOffset);
        if (recovered) {
            // recoverFrom reads it next, and truncates what follows a torn tail as well
            return segment;
        }
        int truncated = recoverSegment(segment);
        if (truncated > 0) {
            log.warn("truncated {} invalid bytes from segment {} of {}", truncated, baseOffset, topicPartition);
        }
        return segment;
    }

    private void recoverFrom(TreeMap<Long, LogSegment> segments, long fromOffset) throws IOException {
        Long start = segments.floorKey(fromOffset);
        List<LogSegment> unflushed = new ArrayList<>(segments.tailMap(start == null ? segments.firstKey() : start, true)
                .values());
        for (int i = 0; i < unflushed.size(); i++) {
            LogSegment segment = unflushed.get(i);
            rebuiltSegments.add(segment.baseOffset());
            int truncated = recoverSegment(segment);
            if (truncated > 0) {
                log.warn(
                        "recovery truncated {} bytes of a torn or corrupt tail from segment {} of {}",
                        truncated,
                        segment.baseOffset(),
                        topicPartition);
                for (LogSegment later : unflushed.subList(i + 1, unflushed.size())) {
                    log.warn("recovery deletes segment {} of {} after the corrupt tail", later, topicPartition);
                    segments.remove(later.baseOffset());
                    later.deleteFiles();
                }
                return;
            }
        }
    }

    /**
     * Scans a segment's batches from the start, rebuilding its indexes, and cuts the file at the
     * first batch that is torn, corrupt or out of offset order.
     *
     * @return the number of bytes truncated
     */
    static int recoverSegment(LogSegment segment) throws IOException {
        segment.resetIndexes();
        int validBytes = 0;
        long nextOffset = segment.baseOffset();
        var iterator = segment.records().batchIterator();
        try {
            while (iterator.hasNext()) {
                FileChannelRecordBatch batch = iterator.next();
                if (!isValid(batch, nextOffset)) {
                    break;
                }
                segment.indexRecoveredBatch(batch, validBytes);
                validBytes += batch.sizeInBytes();
                nextOffset = batch.nextOffset();
            }
        } catch (CorruptRecordException e) {
            log.debug("corrupt batch header at position {} of {}: {}", validBytes, segment, e.getMessage());
        }
        int truncated = segment.size() - validBytes;
        if (truncated > 0) {
            segment.truncateFileTo(validBytes);
        }
        return truncated;
    }

    private static boolean isValid(FileChannelRecordBatch batch, long expectedOffset) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2 || batch.baseOffset() < expectedOffset) {
            return false;
        }
        try {
            batch.ensureValid();
            return true;
        } catch (CorruptRecordException e) {
            return false;
        }
    }

    /**
     * Reloads producer state from the newest snapshot at or below the log end offset and replays
     * the batches from there, so duplicate detection and open transactions survive restarts and
     * truncation.
     */
    static void rebuildProducerState(
            PartitionLog partitionLog, ProducerStateTable producerState, long logStartOffset, long logEndOffset)
            throws IOException {
        rebuildProducerState(partitionLog, producerState, logStartOffset, logEndOffset, Set.of());
    }

    /**
     * As above; abort markers in the segments {@code reindexed} (whose txn index was reset) are
     * appended to their txn index again, with the last stable offset the replayed state gives. The
     * snapshot loaded is at or below the first of them.
     */
    static void rebuildProducerState(
            PartitionLog partitionLog,
            ProducerStateTable producerState,
            long logStartOffset,
            long logEndOffset,
            Set<Long> reindexed)
            throws IOException {
        long reloadUpTo = reindexed.isEmpty() ? logEndOffset : Math.min(logEndOffset, Collections.min(reindexed));
        producerState.truncateAndReload(logStartOffset, Math.max(logStartOffset, reloadUpTo));
        restoreEarlierBatches(partitionLog, producerState, logStartOffset);
        long from = Math.max(producerState.mapEndOffset(), logStartOffset);
        TreeMap<Long, LogSegment> segments = partitionLog.segmentMap();
        Long first = segments.floorKey(from);
        for (LogSegment segment : segments.tailMap(first == null ? segments.firstKey() : first, true)
                .values()) {
            boolean reindex = reindexed.contains(segment.baseOffset());
            int position = segment.offsetIndex().lookup(from).position();
            for (FileChannelRecordBatch batch : segment.records().batchesFrom(position)) {
                if (batch.lastOffset() >= from && batch.hasProducerId()) {
                    replay(producerState, segment, batch, reindex);
                }
            }
        }
        producerState.updateMapEndOffset(logEndOffset);
    }

    /**
     * Reads the log back up to {@value #EARLIER_BATCHES_SCAN_BYTES} bytes before a loaded snapshot for
     * the batches the snapshot could not hold. A snapshot (Kafka's format) keeps only each producer's
     * newest batch, so after a restart a retry of one of its earlier in-flight batches was not
     * recognised: the leader answered OUT_OF_ORDER_SEQUENCE_NUMBER, and an idempotent Kafka producer
     * answers that by bumping its epoch and writing the batch again, a duplicate (the fault
     * campaign's finding F6, docs/reliability.md). With them, up to {@link
     * ProducerEntry#NUM_BATCHES_TO_RETAIN} batches per producer are recognised after a restart as
     * before it.
     */
    private static void restoreEarlierBatches(
            PartitionLog partitionLog, ProducerStateTable producerState, long logStartOffset) throws IOException {
        long snapshotOffset = producerState.mapEndOffset();
        if (snapshotOffset <= logStartOffset || producerState.isEmpty()) {
            return;
        }
        TreeMap<Long, LogSegment> segments = partitionLog.segmentMap();
        TreeMap<Long, Integer> startPositions = new TreeMap<>();
        long budget = EARLIER_BATCHES_SCAN_BYTES;
        for (LogSegment segment :
                segments.headMap(snapshotOffset, false).descendingMap().values()) {
            Long next = segments.higherKey(segment.baseOffset());
            int end = next != null && next <= snapshotOffset
                    ? segment.size()
                    : segment.indexedPositionAtOrBelow(snapshotOffset);
            int start = positionAtOrAbove(segment, snapshotOffset, (int) Math.max(0, end - budget));
            startPositions.put(segment.baseOffset(), start);
            budget -= end - start;
            if (budget <= 0) {
                break;
            }
        }
        Map<Long, List<BatchMetadata>> earlier = new HashMap<>();
        for (Map.Entry<Long, Integer> range : startPositions.entrySet()) {
            LogSegment segment = segments.get(range.getKey());
            for (FileChannelRecordBatch batch : segment.records().batchesFrom(range.getValue())) {
                if (batch.baseOffset() >= snapshotOffset) {
                    break;
                }
                if (!batch.hasProducerId() || batch.isControlBatch() || batch.baseOffset() < logStartOffset) {
                    continue;
                }
                Optional<ProducerEntry> entry = producerState.entry(batch.producerId());
                if (entry.isPresent()
                        && entry.get().producerEpoch() == batch.producerEpoch()
                        && batch.lastOffset() < entry.get().firstOffset()) {
                    earlier.computeIfAbsent(batch.producerId(), id -> new ArrayList<>())
                            .add(new BatchMetadata(
                                    batch.baseSequence(),
                                    batch.lastSequence(),
                                    batch.baseOffset(),
                                    batch.lastOffset(),
                                    batch.maxTimestamp()));
                }
            }
        }
        earlier.forEach(producerState::restoreEarlierBatches);
    }

    /**
     * The position of the first offset-index entry at or above {@code minPosition} among offsets
     * below {@code upTo}: a batch boundary to scan from (binary search over offsets, whose indexed
     * positions grow with them).
     */
    private static int positionAtOrAbove(LogSegment segment, long upTo, int minPosition) {
        long low = segment.baseOffset();
        long high = upTo;
        while (low < high) {
            long mid = low + (high - low) / 2;
            if (segment.indexedPositionAtOrBelow(mid) >= minPosition) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return segment.indexedPositionAtOrBelow(low);
    }

    /** Replays one batch as Kafka's recovery does: its own update, then the transaction it ended. */
    private static void replay(ProducerStateTable producerState, LogSegment segment, RecordBatch batch, boolean reindex)
            throws IOException {
        ProducerAppend append = producerState.startAppend();
        Optional<CompletedTxn> ended = ProducerBatches.stage(append, batch);
        producerState.commit(append);
        if (ended.isPresent()) {
            LogTransactions.complete(ended.get(), producerState, segment, reindex);
        }
    }
}
