package io.varve.storage.cleaner;

import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogSegment;
import io.varve.storage.log.PartitionLog;
import io.varve.storage.producer.ProducerEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Everything a cleaner thread needs to clean a log without touching it: taken by the log's owner (the
 * partition actor) with {@link #take}, handed to a cleaner thread, closed by that thread when done.
 *
 * <p>It holds the closed segments below the first uncleanable offset, each with <em>its own</em>
 * read-only file handle opened at snapshot time. Those segments are never written again; if the owner
 * meanwhile deletes one (retention), renames it or truncates the log, the handle still reads the bytes
 * the snapshot saw, and the swap is refused ({@link PartitionLog#replaceSegments}). The snapshot also
 * copies the aborted transactions of the range and the active producers' last records.
 *
 * <p>The {@link LogSegment} references are identities for the owner's swap check only: a cleaner thread
 * never calls them.
 */
public final class CleaningSnapshot implements AutoCloseable {

    /**
     * One closed segment as the snapshot saw it.
     *
     * @param upperBoundOffset the next segment's base offset: no offset of this segment reaches it
     * @param mapStartPosition where the offset-map pass starts reading (the indexed position at or below
     *     the first dirty offset in the segment holding it, else 0)
     * @param abortedTxns the aborted transactions overlapping {@code [baseOffset, upperBoundOffset)}
     */
    public record Segment(
            LogSegment segment,
            long baseOffset,
            long upperBoundOffset,
            int size,
            FileChannel channel,
            long offsetIndexBytes,
            long timeIndexBytes,
            long lastModifiedMs,
            int mapStartPosition,
            List<AbortedTxn> abortedTxns) {}

    private final TopicPartition topicPartition;
    private final Path dir;
    private final LogConfig config;
    private final CleanableRange range;
    private final List<Segment> segments;
    private final List<AbortedTxn> dirtyAbortedTxns;
    private final Map<Long, LastProducerRecord> activeProducers;
    private final long nowMs;
    private final long truncationCount;

    private CleaningSnapshot(
            PartitionLog log,
            CleanableRange range,
            List<Segment> segments,
            List<AbortedTxn> dirtyAbortedTxns,
            Map<Long, LastProducerRecord> activeProducers,
            long nowMs) {
        this.topicPartition = log.topicPartition();
        this.dir = log.dir();
        this.config = log.config();
        this.range = range;
        this.segments = List.copyOf(segments);
        this.dirtyAbortedTxns = List.copyOf(dirtyAbortedTxns);
        this.activeProducers = Map.copyOf(activeProducers);
        this.nowMs = nowMs;
        this.truncationCount = log.truncationCount();
    }

    /**
     * Snapshots {@code log} for cleaning {@code range}. Call on the log's owner; the caller owns the
     * snapshot and must {@link #close()} it.
     */
    public static CleaningSnapshot take(PartitionLog log, CleanableRange range) throws IOException {
        List<LogSegment> all = log.segments();
        List<AbortedTxn> aborted = allAbortedTxns(all);
        List<Segment> segments = new ArrayList<>();
        try {
            for (int i = 0; i < all.size() - 1 && all.get(i).baseOffset() < range.firstUncleanableOffset(); i++) {
                segments.add(snapshot(all, i, range.firstDirtyOffset(), aborted));
            }
            return new CleaningSnapshot(
                    log,
                    range,
                    segments,
                    overlapping(aborted, range.firstDirtyOffset(), range.firstUncleanableOffset()),
                    activeProducers(log),
                    log.clock().millis());
        } catch (IOException | RuntimeException e) {
            segments.forEach(s -> closeQuietly(s.channel()));
            throw e;
        }
    }

    private static Segment snapshot(List<LogSegment> all, int i, long firstDirtyOffset, List<AbortedTxn> aborted)
            throws IOException {
        LogSegment segment = all.get(i);
        long upper = all.get(i + 1).baseOffset();
        boolean holdsFirstDirty = segment.baseOffset() <= firstDirtyOffset && firstDirtyOffset < upper;
        FileChannel channel = FileChannel.open(segment.file(), StandardOpenOption.READ);
        try {
            return new Segment(
                    segment,
                    segment.baseOffset(),
                    upper,
                    segment.size(),
                    channel,
                    segment.offsetIndexSizeInBytes(),
                    segment.timeIndexSizeInBytes(),
                    segment.lastModifiedMs(),
                    holdsFirstDirty ? segment.indexedPositionAtOrBelow(firstDirtyOffset) : 0,
                    overlapping(aborted, segment.baseOffset(), upper));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Every aborted transaction the log's indexes hold, in one pass (a transaction's abort marker, and so
     * its entry, may lie in any later segment, the active one included). Kafka searches segment by segment
     * for each range; reading each small index once keeps a snapshot linear in the number of segments.
     */
    private static List<AbortedTxn> allAbortedTxns(List<LogSegment> segments) throws IOException {
        List<AbortedTxn> all = new ArrayList<>();
        for (LogSegment segment : segments) {
            all.addAll(
                    segment.collectAbortedTxns(Long.MIN_VALUE, Long.MAX_VALUE).abortedTransactions());
        }
        return all;
    }

    /** Those overlapping {@code [from, upper)}: Kafka's {@code lastOffset >= from && firstOffset < upper}. */
    private static List<AbortedTxn> overlapping(List<AbortedTxn> aborted, long from, long upper) {
        if (aborted.isEmpty()) {
            return List.of();
        }
        return aborted.stream()
                .filter(t -> t.lastOffset() >= from && t.firstOffset() < upper)
                .toList();
    }

    private static Map<Long, LastProducerRecord> activeProducers(PartitionLog log) {
        Map<Long, LastProducerRecord> last = new HashMap<>();
        for (ProducerEntry entry : log.producerState().activeProducers().values()) {
            last.put(
                    entry.producerId(),
                    new LastProducerRecord(entry.isEmpty() ? -1L : entry.lastOffset(), entry.producerEpoch()));
        }
        return last;
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

    public CleanableRange range() {
        return range;
    }

    /** The closed segments below the first uncleanable offset, oldest first. */
    public List<Segment> segments() {
        return segments;
    }

    /** The aborted transactions overlapping the dirty range, for the offset-map pass. */
    public List<AbortedTxn> dirtyAbortedTxns() {
        return dirtyAbortedTxns;
    }

    public Map<Long, LastProducerRecord> activeProducers() {
        return activeProducers;
    }

    /** The owner's clock when the snapshot was taken: the cleaning's "now" (delete horizons). */
    public long nowMs() {
        return nowMs;
    }

    public long truncationCount() {
        return truncationCount;
    }

    /** Releases the snapshot's file handles. */
    @Override
    public void close() {
        segments.forEach(s -> closeQuietly(s.channel()));
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // a read-only handle: nothing is lost
        }
    }

    @Override
    public String toString() {
        return "CleaningSnapshot(" + topicPartition + ", " + segments.size() + " segments, " + range + ")";
    }
}
