package io.varve.storage.checkpoint;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition's leader-epoch lineage: for each leader epoch that wrote to the log, the offset of its first
 * record. Followers and consumers ask for an epoch's end offset (OffsetsForLeaderEpoch, KIP-101/KIP-279/
 * KIP-320) to find where their log diverged from the leader's. Kept in memory and written through to the
 * partition's {@link LeaderEpochCheckpointFile} on every change (Kafka flushes truncations asynchronously;
 * Varve's owner already runs on the storage dispatcher, so it writes synchronously).
 *
 * <p>Entries are strictly increasing in both epoch and start offset: a new entry removes every entry it
 * contradicts, as in Kafka's {@code LeaderEpochFileCache}.
 *
 * <p>Lifecycle: the constructor loads the checkpoint; the owner then assigns epochs as batches are appended
 * and truncates as the log is truncated. Not thread-safe: confined by contract to the actor that owns the
 * partition's log.
 */
public final class LeaderEpochCache {
    /** The epoch answered when none is known. */
    public static final int UNDEFINED_EPOCH = OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH;
    /** The end offset answered when none is known. */
    public static final long UNDEFINED_EPOCH_OFFSET = OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET;

    private static final Logger log = LoggerFactory.getLogger(LeaderEpochCache.class);

    private final LeaderEpochCheckpointFile checkpoint;
    private final TreeMap<Integer, EpochEntry> epochs = new TreeMap<>();

    /**
     * Loads the entries of {@code checkpoint}, dropping any that contradict a later one.
     *
     * @throws IOException if the checkpoint cannot be read or is malformed
     */
    public LeaderEpochCache(LeaderEpochCheckpointFile checkpoint) throws IOException {
        this.checkpoint = checkpoint;
        for (EpochEntry entry : checkpoint.read()) {
            assignWithoutFlush(entry);
        }
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. Nothing changes when {@code epoch} is the latest
     * epoch and starts at or before {@code startOffset}. Otherwise, as in Kafka, every entry with an epoch at or
     * above {@code epoch} or a start offset at or above {@code startOffset} is removed first.
     *
     * @throws IllegalArgumentException if {@code epoch} or {@code startOffset} is negative
     */
    public void assign(int epoch, long startOffset) throws IOException {
        if (assignWithoutFlush(new EpochEntry(epoch, startOffset))) {
            flush();
        }
    }

    private boolean assignWithoutFlush(EpochEntry entry) {
        if (entry.epoch() < 0 || entry.startOffset() < 0) {
            throw new IllegalArgumentException("Invalid leader epoch entry " + entry + " for " + checkpoint.file());
        }
        Optional<EpochEntry> latest = latestEntry();
        if (latest.isPresent()
                && latest.get().epoch() == entry.epoch()
                && latest.get().startOffset() <= entry.startOffset()) {
            return false;
        }
        List<EpochEntry> removed = removeWhile(
                epochs.descendingMap(),
                existing -> existing.epoch() >= entry.epoch() || existing.startOffset() >= entry.startOffset());
        epochs.put(entry.epoch(), entry);
        // Replacing an epoch that wrote nothing (same start offset) is routine; anything else drops history.
        if (removed.size() > 1 || (removed.size() == 1 && removed.get(0).startOffset() != entry.startOffset())) {
            log.warn(
                    "New leader epoch entry {} in {} removed conflicting entries {}",
                    entry,
                    checkpoint.file(),
                    removed);
        }
        return true;
    }

    public Optional<EpochEntry> latestEntry() {
        return Optional.ofNullable(epochs.lastEntry()).map(Map.Entry::getValue);
    }

    public OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    public Optional<EpochEntry> earliestEntry() {
        return Optional.ofNullable(epochs.firstEntry()).map(Map.Entry::getValue);
    }

    public OptionalInt earliestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.firstKey());
    }

    /**
     * The end of {@code requestedEpoch}, as OffsetsForLeaderEpoch answers it (Kafka's semantics):
     *
     * <ul>
     *   <li>{@code UNDEFINED_EPOCH} requested, no epochs known, or an epoch above the latest requested:
     *       {@code (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET)};
     *   <li>the latest epoch: {@code (latest, logEndOffset)}, since it is still being written;
     *   <li>an epoch below the earliest known one: {@code (requestedEpoch, earliest start offset)}; the older
     *       epochs were removed with the start of the log, so the follower should truncate to where the
     *       retained log begins;
     *   <li>otherwise: the largest known epoch at or below the requested one, ending where the next known
     *       epoch starts.
     * </ul>
     */
    public EpochAndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
        if (requestedEpoch == UNDEFINED_EPOCH) {
            return new EpochAndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        if (latestEpoch().equals(OptionalInt.of(requestedEpoch))) {
            return new EpochAndOffset(requestedEpoch, logEndOffset);
        }
        Map.Entry<Integer, EpochEntry> next = epochs.higherEntry(requestedEpoch);
        if (next == null) {
            return new EpochAndOffset(UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET);
        }
        Map.Entry<Integer, EpochEntry> floor = epochs.floorEntry(requestedEpoch);
        int epoch = floor == null ? requestedEpoch : floor.getKey();
        return new EpochAndOffset(epoch, next.getValue().startOffset());
    }

    /**
     * Removes every entry starting at or after {@code endOffset}, after the log was truncated to it. A negative
     * {@code endOffset} changes nothing.
     */
    public void truncateFromEnd(long endOffset) throws IOException {
        if (endOffset < 0) {
            return;
        }
        if (!removeWhile(epochs.descendingMap(), entry -> entry.startOffset() >= endOffset)
                .isEmpty()) {
            flush();
        }
    }

    /**
     * Removes the entries wholly before {@code startOffset}, after the log start offset moved to it: the latest
     * entry starting at or before {@code startOffset} is kept, with its start moved up to {@code startOffset}
     * (so {@code truncateFromStart(6)} keeps an epoch that starts at 6).
     */
    public void truncateFromStart(long startOffset) throws IOException {
        List<EpochEntry> removed = removeWhile(epochs, entry -> entry.startOffset() <= startOffset);
        if (!removed.isEmpty()) {
            EpochEntry coveringStart = removed.get(removed.size() - 1);
            epochs.put(coveringStart.epoch(), new EpochEntry(coveringStart.epoch(), startOffset));
            flush();
        }
    }

    /** The epoch that wrote {@code offset}, or empty if the offset lies before the earliest known epoch. */
    public OptionalInt epochForOffset(long offset) {
        Integer epoch = null;
        for (EpochEntry entry : epochs.values()) {
            if (entry.startOffset() > offset) {
                break;
            }
            epoch = entry.epoch();
        }
        return epoch == null ? OptionalInt.empty() : OptionalInt.of(epoch);
    }

    /** All entries, in epoch order. */
    public List<EpochEntry> epochEntries() {
        return List.copyOf(epochs.values());
    }

    /** Removes all entries and writes the now empty checkpoint. */
    public void clear() throws IOException {
        epochs.clear();
        flush();
    }

    private void flush() throws IOException {
        checkpoint.write(new ArrayList<>(epochs.values()));
    }

    /** Removes entries from the start of {@code map}'s order while they match; returns them in that order. */
    private static List<EpochEntry> removeWhile(Map<Integer, EpochEntry> map, Predicate<EpochEntry> matches) {
        List<EpochEntry> removed = new ArrayList<>();
        Iterator<EpochEntry> iterator = map.values().iterator();
        while (iterator.hasNext()) {
            EpochEntry entry = iterator.next();
            if (!matches.test(entry)) {
                break;
            }
            removed.add(entry);
            iterator.remove();
        }
        return removed;
    }
}
