package io.varve.storage.producer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer state of one partition: for every producer id that wrote to it, a {@link
 * ProducerEntry}, plus the {@link #mapEndOffset() map end offset}, the log offset up to which this
 * state reflects the log. It is Varve's counterpart of Kafka's {@code ProducerStateManager}.
 *
 * <p><b>Threading.</b> Not thread-safe. It is owned by the partition log and confined by contract to
 * the actor that owns that log, which runs on the storage dispatcher; snapshot methods do blocking
 * file I/O.
 *
 * <p><b>Lifecycle.</b>
 *
 * <ol>
 *   <li>Construction only lists the {@code .snapshot} files of the log directory (removing any
 *       half-written {@code .snapshot.tmp}); the state is empty.
 *   <li>On load the log calls {@link #truncateAndReload} and replays its batches from {@link
 *       #mapEndOffset()} to the log end through {@link #startAppend()}, {@link ProducerAppend#stage}
 *       and {@link #commit}, without checks.
 *   <li>For each append the log checks and stages batches on a {@link ProducerAppend}, appends, then
 *       commits the append and moves the map end offset with {@link #updateMapEndOffset} (commit does
 *       not move it, as in Kafka).
 *   <li>Transactions: a commit registers the transactions the append started; the log then, for
 *       each transaction its markers ended, asks {@link #lastStableOffset(CompletedTxn)} for the
 *       {@code .txnindex} entry and calls {@link #completeTxn}. A completed transaction stays
 *       <i>unreplicated</i> until {@link #onHighWatermarkUpdated} passes its marker; the {@link
 *       #firstUnstableOffset()} is the first offset of the oldest open or unreplicated transaction.
 *   <li>At segment roll the log calls {@link #takeSnapshot()}; when segments are deleted, {@link
 *       #deleteSnapshotsBefore} and {@link #onLogStartOffsetIncremented}; on truncation, {@link
 *       #truncateAndReload} or {@link #truncateFullyAndStartAt}. {@link #removeExpiredProducers()}
 *       runs periodically.
 * </ol>
 */
public final class ProducerStateTable {

    private static final Logger log = LoggerFactory.getLogger(ProducerStateTable.class);

    private final Path logDir;
    private final long producerIdExpirationMs;
    private final LongSupplier nowMs;
    private final Map<Long, ProducerEntry> producers = new HashMap<>();
    private final NavigableMap<Long, Path> snapshots;
    /** Open transactions by first offset: the producer id. */
    private final TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
    /** Ended transactions whose marker the high watermark has not passed yet, by first offset. */
    private final TreeMap<Long, CompletedTxn> unreplicatedTxns = new TreeMap<>();

    private long mapEndOffset;
    /** Bumped by every change of {@link #producers}; an append staged on an older version is stale. */
    private long version;

    /**
     * @param logDir the partition's log directory, where snapshots live; its name is used in messages
     * @param producerIdExpirationMs how long a producer with no ongoing transaction is kept after its
     *     last write ({@code producer.id.expiration.ms})
     * @param nowMs the clock, in epoch milliseconds
     * @throws UncheckedIOException if the directory cannot be listed
     */
    public ProducerStateTable(Path logDir, long producerIdExpirationMs, LongSupplier nowMs) {
        this.logDir = logDir;
        this.producerIdExpirationMs = producerIdExpirationMs;
        this.nowMs = nowMs;
        try {
            deleteTmpSnapshots(logDir);
            this.snapshots = ProducerSnapshotFile.list(logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list producer snapshots in " + logDir, e);
        }
    }

    /** Starts staging the producer state changes of one log append. */
    public ProducerAppend startAppend() {
        return new ProducerAppend(this, version);
    }

    /**
     * Applies the batches staged on {@code append}; call it only once the log append succeeded.
     *
     * @throws IllegalStateException if the append was started on another table, or the table changed
     *     since it was started (including by an earlier commit of the same append)
     */
    public void commit(ProducerAppend append) {
        if (append.table() != this) {
            throw new IllegalStateException("append was started on another producer state table than " + logDir);
        }
        if (append.tableVersion() != version) {
            throw new IllegalStateException("stale append for " + logDir + ": started at version "
                    + append.tableVersion() + ", table is at version " + version);
        }
        producers.putAll(append.stagedEntries());
        for (ProducerAppend.TxnStart start : append.startedTransactions()) {
            ongoingTxns.put(start.firstOffset(), start.producerId());
        }
        version++;
    }

    /**
     * The last stable offset to record with an aborted transaction in the {@code .txnindex} (as
     * Kafka computes it): the first offset of the oldest transaction of another producer that is
     * still open, or the offset after the marker when there is none. Call it after the commit of the
     * append holding the marker and before {@link #completeTxn}.
     */
    public long lastStableOffset(CompletedTxn txn) {
        for (Map.Entry<Long, Long> open : ongoingTxns.entrySet()) {
            if (open.getValue() != txn.producerId()) {
                return open.getKey();
            }
        }
        return txn.lastOffset() + 1;
    }

    /**
     * Ends an open transaction: it is no longer open, but stays unstable until the high watermark
     * passes its marker.
     *
     * @throws IllegalStateException if no transaction of the producer is open at its first offset
     */
    public void completeTxn(CompletedTxn txn) {
        Long producerId = ongoingTxns.remove(txn.firstOffset());
        if (producerId == null || producerId != txn.producerId()) {
            throw new IllegalStateException("transaction " + txn + " in " + dirName() + " was not open");
        }
        unreplicatedTxns.put(txn.firstOffset(), txn);
    }

    /** The high watermark moved: transactions whose marker it passed are stable. */
    public void onHighWatermarkUpdated(long highWatermark) {
        unreplicatedTxns.values().removeIf(txn -> txn.lastOffset() < highWatermark);
    }

    /**
     * The first offset of the oldest transaction that is open or whose marker is not replicated
     * yet; the last stable offset is the smaller of it and the high watermark.
     */
    public OptionalLong firstUnstableOffset() {
        Long ongoing = ongoingTxns.isEmpty() ? null : ongoingTxns.firstKey();
        Long unreplicated = unreplicatedTxns.isEmpty() ? null : unreplicatedTxns.firstKey();
        if (ongoing == null && unreplicated == null) {
            return OptionalLong.empty();
        }
        if (ongoing == null || (unreplicated != null && unreplicated < ongoing)) {
            return OptionalLong.of(unreplicated);
        }
        return OptionalLong.of(ongoing);
    }

    /** Whether the producer has a transaction open here at {@code producerEpoch} (Kafka's check). */
    public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
        ProducerEntry entry = producers.get(producerId);
        return entry != null && entry.currentTxnFirstOffset().isPresent() && entry.producerEpoch() == producerEpoch;
    }

    /** The open transactions, oldest first: producer id by first offset (a copy). */
    public Map<Long, Long> ongoingTransactions() {
        return new TreeMap<>(ongoingTxns);
    }

    /** The committed entry of a producer. */
    public Optional<ProducerEntry> entry(long producerId) {
        return Optional.ofNullable(producers.get(producerId));
    }

    /** Whether no producer is known (a log no idempotent or transactional producer wrote). */
    public boolean isEmpty() {
        return producers.isEmpty();
    }

    /** An immutable copy of the committed entries by producer id; safe to send to another actor. */
    public Map<Long, ProducerEntry> activeProducers() {
        return Map.copyOf(producers);
    }

    /** The log offset up to which this state reflects the log (exclusive). */
    public long mapEndOffset() {
        return mapEndOffset;
    }

    public void updateMapEndOffset(long offset) {
        mapEndOffset = offset;
    }

    /**
     * Writes the state as the snapshot {@code <mapEndOffset>.snapshot}, unless one exists for that
     * offset already.
     */
    public void takeSnapshot() throws IOException {
        if (snapshots.containsKey(mapEndOffset)) {
            return;
        }
        Path file = ProducerSnapshotFile.path(logDir, mapEndOffset);
        List<ProducerEntry> entries = new ArrayList<>(new TreeMap<>(producers).values());
        ProducerSnapshotFile.write(file, entries);
        snapshots.put(mapEndOffset, file);
    }

    public OptionalLong latestSnapshotOffset() {
        return snapshots.isEmpty() ? OptionalLong.empty() : OptionalLong.of(snapshots.lastKey());
    }

    public OptionalLong oldestSnapshotOffset() {
        return snapshots.isEmpty() ? OptionalLong.empty() : OptionalLong.of(snapshots.firstKey());
    }

    /** Deletes the snapshots of offsets below {@code offset}. */
    public void deleteSnapshotsBefore(long offset) throws IOException {
        for (long snapshotOffset : List.copyOf(snapshots.headMap(offset, false).keySet())) {
            deleteSnapshot(snapshotOffset);
        }
    }

    /**
     * Rebuilds the state from the newest usable snapshot after the log was loaded or truncated to
     * {@code logStartOffset..logEndOffset}.
     *
     * <p>Snapshots outside the log are deleted: above {@code logEndOffset}, and, as Kafka does, at or
     * below {@code logStartOffset} (they cannot hold a producer whose last offset is in the log). The
     * newest remaining snapshot is loaded; a corrupt one is deleted and the next older one tried.
     * As Kafka does on load, expired producers are dropped; producers whose batches are all below
     * the log start are kept (KIP-360). Afterwards {@link #mapEndOffset()} is the offset of the loaded snapshot,
     * or {@code logStartOffset} if there was none, and the log replays its batches from there.
     */
    public void truncateAndReload(long logStartOffset, long logEndOffset) throws IOException {
        for (long offset : List.copyOf(snapshots.keySet())) {
            if (offset > logEndOffset || offset <= logStartOffset) {
                deleteSnapshot(offset);
            }
        }
        clearProducers();
        mapEndOffset = loadLatestSnapshot().orElse(logStartOffset);
        producers.values().removeIf(this::isExpired);
        for (ProducerEntry entry : producers.values()) {
            entry.currentTxnFirstOffset().ifPresent(first -> ongoingTxns.put(first, entry.producerId()));
        }
    }

    /** Clears all state and deletes every snapshot; the state then starts at {@code offset}. */
    public void truncateFullyAndStartAt(long offset) throws IOException {
        for (long snapshotOffset : List.copyOf(snapshots.keySet())) {
            deleteSnapshot(snapshotOffset);
        }
        clearProducers();
        mapEndOffset = offset;
    }

    /**
     * Puts back in front of a producer's retained batches the batches of its current epoch that the
     * log holds before them ({@link ProducerEntry#withEarlierBatches}); the log calls it after {@link
     * #truncateAndReload} loaded a snapshot, which keeps only each producer's newest batch. A producer
     * this table does not know is ignored.
     */
    public void restoreEarlierBatches(long producerId, List<BatchMetadata> earlier) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null) {
            return;
        }
        ProducerEntry restored = entry.withEarlierBatches(earlier);
        if (restored != entry) {
            producers.put(producerId, restored);
            version++;
        }
    }

    private void clearProducers() {
        producers.clear();
        ongoingTxns.clear();
        unreplicatedTxns.clear();
        version++;
    }

    /**
     * Removes the producers with no ongoing transaction whose last write is {@code
     * producerIdExpirationMs} or more in the past (Kafka's {@code producer.id.expiration.ms} check).
     */
    public void removeExpiredProducers() {
        if (producers.values().removeIf(this::isExpired)) {
            version++;
        }
    }

    /**
     * The log start moved up (retention, DeleteRecords): the map end offset follows it if it was
     * behind. Producers whose batches were all deleted are kept until they expire, as Kafka 2.4+
     * does (KIP-360), so a producer that idles past retention is still fenced and still in
     * sequence.
     */
    public void onLogStartOffsetIncremented(long logStartOffset) {
        mapEndOffset = Math.max(mapEndOffset, logStartOffset);
        unreplicatedTxns.values().removeIf(txn -> txn.lastOffset() < logStartOffset);
    }

    /** The name of the log directory, used in messages ({@code orders-3}). */
    String dirName() {
        Path name = logDir.getFileName();
        return name == null ? logDir.toString() : name.toString();
    }

    private OptionalLong loadLatestSnapshot() throws IOException {
        while (!snapshots.isEmpty()) {
            Map.Entry<Long, Path> latest = snapshots.lastEntry();
            try {
                for (ProducerEntry entry : ProducerSnapshotFile.read(latest.getValue())) {
                    producers.put(entry.producerId(), entry);
                }
                return OptionalLong.of(latest.getKey());
            } catch (CorruptSnapshotException e) {
                log.warn("Deleting corrupt producer snapshot, trying an older one: {}", e.getMessage());
                producers.clear();
                deleteSnapshot(latest.getKey());
            }
        }
        return OptionalLong.empty();
    }

    private boolean isExpired(ProducerEntry entry) {
        return entry.currentTxnFirstOffset().isEmpty()
                && nowMs.getAsLong() - entry.lastTimestamp() >= producerIdExpirationMs;
    }

    private void deleteSnapshot(long offset) throws IOException {
        Path file = snapshots.remove(offset);
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    private static void deleteTmpSnapshots(Path logDir) throws IOException {
        if (!Files.isDirectory(logDir)) {
            return;
        }
        try (DirectoryStream<Path> tmpFiles = Files.newDirectoryStream(logDir, "*" + ProducerSnapshotFile.TMP_SUFFIX)) {
            for (Path tmp : tmpFiles) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
