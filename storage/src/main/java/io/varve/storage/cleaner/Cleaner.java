package io.varve.storage.cleaner;

import io.varve.storage.log.CleanedSegment;
import io.varve.storage.log.LogSegment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.utils.internals.BufferSupplier;
import org.apache.kafka.common.utils.internals.CloseableIterator;

/**
 * One cleaner thread's worker: cleans a log from a {@link CleaningSnapshot} in Kafka's two passes and
 * leaves the result as {@code .cleaned} segments for the log's owner to swap in.
 *
 * <ol>
 *   <li><b>Map</b>: the dirty segments are read in offset order and every keyed record's offset is put
 *       in the {@link KeyOffsetMap} (records of aborted transactions are skipped), and {@link
 *       LatestOffsets} marks the offsets that hold their key's latest value so far. When the map is full
 *       the pass stops: the cleaning then covers only the offsets mapped ({@code endOffset}), and the
 *       next cleaning starts there (cleaning in passes, with bounded memory).
 *   <li><b>Rewrite</b>: every segment below {@code endOffset} (the clean part too: a newer value in the
 *       dirty part supersedes an older one there) is grouped ({@link SegmentGrouper}) and each group is
 *       filtered into one new segment through {@link CleanerRecordFilter}, keeping offsets, timestamps
 *       and batch headers. A record of the dirty part is decided by its bit, with no second MD5; a batch
 *       with no bit set (every record superseded) is passed over without reading its records.
 * </ol>
 *
 * The map gets {@code dedupeBufferBytes} (this thread's share of {@code log.cleaner.dedupe.buffer.size})
 * at most, and only as many slots as the dirty range can fill, so a small log does not cost the whole
 * buffer. Reads and writes go through {@link CleanerThrottler}. {@code aborted} is polled between chunks.
 *
 * <p>Not thread-safe: one per cleaner thread, reused across cleanings.
 */
public final class Cleaner {
    /** {@link LatestOffsets} may take up to this fraction (1/16) of the dedupe buffer's size on top of it. */
    private static final long LATEST_OFFSETS_SHARE = 16;

    private final long dedupeBufferBytes;
    private final KeyOffsetMap map;
    private final LatestOffsets latest = new LatestOffsets();
    private final SegmentReader reader;
    private final CleanerThrottler throttler;
    private final long latestOffsetsMaxBits;
    private final BufferSupplier decompression = BufferSupplier.create();
    private final ChunkRewriter rewriter;

    /**
     * @param dedupeBufferBytes memory for the offset map
     * @param loadFactor how full the map may get ({@code log.cleaner.io.buffer.load.factor})
     * @param ioBufferBytes the read and the write buffer's size each
     * @param maxIoBufferBytes how large they may grow for a large batch
     */
    public Cleaner(
            long dedupeBufferBytes,
            double loadFactor,
            int ioBufferBytes,
            int maxIoBufferBytes,
            CleanerThrottler throttler) {
        this(
                dedupeBufferBytes,
                loadFactor,
                ioBufferBytes,
                maxIoBufferBytes,
                throttler,
                dedupeBufferBytes * 8 / LATEST_OFFSETS_SHARE);
    }

    /** As above, with {@link LatestOffsets} covering at most {@code latestOffsetsMaxBits} offsets (tests: 0). */
    Cleaner(
            long dedupeBufferBytes,
            double loadFactor,
            int ioBufferBytes,
            int maxIoBufferBytes,
            CleanerThrottler throttler,
            long latestOffsetsMaxBits) {
        if (KeyOffsetMap.slotsFor(dedupeBufferBytes) * loadFactor < 1) {
            throw new IllegalArgumentException("a dedupe buffer of " + dedupeBufferBytes + " bytes at load factor "
                    + loadFactor + " cannot hold a single key; raise log.cleaner.dedupe.buffer.size");
        }
        this.dedupeBufferBytes = dedupeBufferBytes;
        this.map = new KeyOffsetMap(loadFactor);
        this.reader = new SegmentReader(ioBufferBytes, maxIoBufferBytes);
        this.throttler = throttler;
        this.latestOffsetsMaxBits = latestOffsetsMaxBits;
        this.rewriter = new ChunkRewriter(ioBufferBytes, decompression, throttler);
    }

    /**
     * Cleans the snapshot's log. The caller keeps ownership of the snapshot (and closes it); the result's
     * {@code .cleaned} files are the caller's to swap in or discard. On any exception the files written so
     * far are removed.
     */
    public CleaningResult clean(CleaningSnapshot snapshot, BooleanSupplier aborted)
            throws IOException, InterruptedException {
        CleanerStats stats = new CleanerStats();
        CleanableRange range = snapshot.range();
        map.reset(slotsFor(range));
        latest.reset(
                range.firstDirtyOffset(),
                range.firstUncleanableOffset() - range.firstDirtyOffset(),
                latestOffsetsMaxBits);
        buildOffsetMap(snapshot, stats, aborted);
        long endOffset = map.latestOffset() + 1;
        stats.mapDone(map);
        List<CleaningSnapshot.Segment> toClean = snapshot.segments().stream()
                .filter(s -> s.baseOffset() < endOffset)
                .toList();
        List<CleanedGroup> cleaned = rewrite(snapshot, toClean, stats, aborted);
        stats.segmentsRead = toClean.size();
        stats.segmentsWritten = cleaned.size();
        stats.allDone(map, throttler);
        return new CleaningResult(
                snapshot.topicPartition(),
                snapshot.dir(),
                range,
                endOffset,
                cleaned,
                stats,
                snapshot.truncationCount());
    }

    /** Slots for the dirty range: never more than the buffer holds, nor than its offsets can fill. */
    private int slotsFor(CleanableRange range) {
        long span = Math.max(1, range.firstUncleanableOffset() - range.firstDirtyOffset());
        long needed = (long) Math.ceil(span / map.loadFactor()) + 1;
        return (int) Math.min(KeyOffsetMap.slotsFor(dedupeBufferBytes), needed);
    }

    // ---- pass 1: the offset map ----

    private void buildOffsetMap(CleaningSnapshot snapshot, CleanerStats stats, BooleanSupplier aborted)
            throws IOException, InterruptedException {
        CleanableRange range = snapshot.range();
        CleanedTransactions transactions = new CleanedTransactions();
        transactions.addAbortedTransactions(snapshot.dirtyAbortedTxns());
        for (CleaningSnapshot.Segment segment : snapshot.segments()) {
            if (segment.upperBoundOffset() <= range.firstDirtyOffset()) {
                continue;
            }
            long upper = Math.min(segment.upperBoundOffset(), range.firstUncleanableOffset());
            if (mapSegment(snapshot, segment, transactions, stats, aborted)) {
                return; // full: this cleaning covers the offsets mapped so far
            }
            map.updateLatestOffset(upper - 1);
        }
    }

    /** Maps one segment's keyed records; returns true when the map filled up. */
    private boolean mapSegment(
            CleaningSnapshot snapshot,
            CleaningSnapshot.Segment segment,
            CleanedTransactions transactions,
            CleanerStats stats,
            BooleanSupplier aborted)
            throws IOException, InterruptedException {
        long firstDirty = snapshot.range().firstDirtyOffset();
        long position = segment.mapStartPosition();
        try {
            while (position < segment.size()) {
                checkAborted(snapshot, aborted);
                MemoryRecords records = reader.read(segment.channel(), position, segment.size());
                throttler.maybeThrottle(records.sizeInBytes());
                int consumed = 0;
                for (MutableRecordBatch batch : records.batches()) {
                    if (mapBatch(batch, firstDirty, transactions, stats)) {
                        return true;
                    }
                    consumed += batch.sizeInBytes();
                }
                stats.mapBytesRead += consumed;
                if (consumed == 0) {
                    reader.grow(
                            records,
                            position,
                            segment.size(),
                            snapshot.config().maxMessageBytes(),
                            name(snapshot, segment));
                }
                position += consumed;
            }
            return false;
        } finally {
            reader.restore();
        }
    }

    private boolean mapBatch(
            MutableRecordBatch batch, long firstDirty, CleanedTransactions transactions, CleanerStats stats)
            throws IOException {
        if (batch.isControlBatch()) {
            transactions.onControlBatchRead(batch);
            stats.mapRecordsRead++;
        } else if (transactions.onBatchRead(batch)) {
            stats.mapRecordsRead += batch.countOrNull();
        } else {
            int keylessSincePut = 0;
            try (CloseableIterator<Record> records = batch.streamingIterator(decompression)) {
                while (records.hasNext()) {
                    Record record = records.next();
                    long offset = record.offset();
                    if (offset >= firstDirty) {
                        if (record.hasKey()) {
                            if (map.isFull()) {
                                stats.keylessRecords -= keylessSincePut; // past the map's end: they stay
                                return true;
                            }
                            latest.onPut(offset, map.put(record.key(), offset));
                            keylessSincePut = 0;
                        } else if (latest.covers(offset)) {
                            stats.keylessRecords++; // dropped; the rewrite does not look at covered ones
                            keylessSincePut++;
                        }
                    }
                    stats.mapRecordsRead++;
                }
            }
        }
        if (batch.lastOffset() >= firstDirty) {
            map.updateLatestOffset(batch.lastOffset());
        }
        return false;
    }

    // ---- pass 2: rewriting ----

    /** Groups the segments below the map's end and filters each group into one cleaned segment. */
    private List<CleanedGroup> rewrite(
            CleaningSnapshot snapshot,
            List<CleaningSnapshot.Segment> toClean,
            CleanerStats stats,
            BooleanSupplier aborted)
            throws IOException, InterruptedException {
        CleanableRange range = snapshot.range();
        List<List<CleaningSnapshot.Segment>> groups = SegmentGrouper.group(
                toClean,
                snapshot.config().segmentBytes(),
                snapshot.config().segmentIndexBytes(),
                range.firstUncleanableOffset());
        CleanedTransactions transactions = new CleanedTransactions();
        CleanerRecordFilter filter = new CleanerRecordFilter(
                snapshot.nowMs(),
                snapshot.config().deleteRetentionMs(),
                map,
                latest,
                transactions,
                snapshot.activeProducers(),
                range.firstUncleanableOffset(),
                stats);
        List<CleanedGroup> cleaned = new ArrayList<>();
        try {
            for (List<CleaningSnapshot.Segment> group : groups) {
                cleaned.add(cleanGroup(snapshot, group, filter, transactions, stats, aborted));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            cleaned.forEach(g -> CleanedSegment.deleteFilesQuietly(snapshot.dir(), g.baseOffset()));
            throw e;
        }
        return cleaned;
    }

    private CleanedGroup cleanGroup(
            CleaningSnapshot snapshot,
            List<CleaningSnapshot.Segment> group,
            CleanerRecordFilter filter,
            CleanedTransactions transactions,
            CleanerStats stats,
            BooleanSupplier aborted)
            throws IOException, InterruptedException {
        CleanedSegment cleaned =
                CleanedSegment.create(snapshot.dir(), group.get(0).baseOffset(), snapshot.config(), snapshot.nowMs());
        try {
            transactions.writeIndexTo(cleaned);
            List<LogSegment> replaced = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            for (CleaningSnapshot.Segment segment : group) {
                transactions.addAbortedTransactions(segment.abortedTxns());
                cleanInto(snapshot, segment, cleaned, filter, stats, aborted);
                replaced.add(segment.segment());
                sizes.add(segment.size());
            }
            int size = cleaned.size();
            cleaned.finish(group.get(group.size() - 1).lastModifiedMs());
            return new CleanedGroup(cleaned.baseOffset(), replaced, sizes, size);
        } catch (IOException | InterruptedException | RuntimeException e) {
            cleaned.delete();
            throw e;
        }
    }

    private void cleanInto(
            CleaningSnapshot snapshot,
            CleaningSnapshot.Segment segment,
            CleanedSegment cleaned,
            CleanerRecordFilter filter,
            CleanerStats stats,
            BooleanSupplier aborted)
            throws IOException, InterruptedException {
        long position = 0;
        try {
            while (position < segment.size()) {
                checkAborted(snapshot, aborted);
                MemoryRecords records = reader.read(segment.channel(), position, segment.size());
                throttler.maybeThrottle(records.sizeInBytes());
                int consumed = rewriter.rewrite(
                        records, cleaned, filter, stats, snapshot.config().maxMessageBytes());
                if (consumed == 0) {
                    reader.grow(
                            records,
                            position,
                            segment.size(),
                            snapshot.config().maxMessageBytes(),
                            name(snapshot, segment));
                    rewriter.growTo(reader.capacity());
                }
                position += consumed;
            }
        } finally {
            reader.restore();
            rewriter.restore();
        }
    }

    private static void checkAborted(CleaningSnapshot snapshot, BooleanSupplier aborted) {
        if (aborted.getAsBoolean()) {
            throw new CleaningAbortedException("cleaning of " + snapshot.topicPartition() + " was aborted");
        }
    }

    private static String name(CleaningSnapshot snapshot, CleaningSnapshot.Segment segment) {
        return "segment " + segment.baseOffset() + " of " + snapshot.topicPartition();
    }
}
