package io.varve.storage.producer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The producer state changes of one log append, staged over the committed state of a {@link
 * ProducerStateTable} until the append has reached the log.
 *
 * <p>For a client append the log calls {@link #check} for each batch with a producer id, then
 * {@link #stage} for each batch it accepted once offsets are assigned, appends, and finally calls
 * {@link ProducerStateTable#commit}. Each check sees the committed state plus the batches already
 * staged, so two batches of one producer in one append are checked against each other. When the log
 * is replayed on recovery (or a follower appends what its leader validated) batches are staged
 * without a check. If the append fails the overlay is simply dropped: nothing is visible in the table
 * before the commit.
 *
 * <p>Transactions: a transactional batch of a producer with no ongoing transaction starts one
 * ({@link #startedTransactions()}); a marker staged with {@link #stageMarker} ends it and returns the
 * {@link CompletedTxn} the log indexes (an abort) and then hands to {@link
 * ProducerStateTable#completeTxn}, after the commit.
 *
 * <p>Lifecycle: created by {@link ProducerStateTable#startAppend()}, used for exactly one append and
 * committed at most once. It becomes stale (and its commit fails) as soon as the table changes in
 * any other way, for example through another commit or a truncation.
 *
 * <p>Not thread-safe: confined, like its table, to the actor that owns the partition log.
 */
public final class ProducerAppend {

    private final ProducerStateTable table;
    private final long tableVersion;
    private final Map<Long, ProducerEntry> staged = new LinkedHashMap<>();
    private final List<TxnStart> started = new ArrayList<>();
    private final List<CompletedTxn> completed = new ArrayList<>();

    /** A transaction this append starts: its producer and first offset. */
    public record TxnStart(long producerId, long firstOffset) {}

    ProducerAppend(ProducerStateTable table, long tableVersion) {
        this.table = table;
        this.tableVersion = tableVersion;
    }

    /**
     * Checks a client batch against the producer's state, following Kafka 4's rules for client
     * appends (its {@code ProducerAppendInfo} and {@code ProducerStateEntry.findDuplicateBatch}):
     *
     * <ul>
     *   <li>an unknown producer (never seen, expired, or dropped with the log start) is accepted at
     *       any sequence;
     *   <li>a retry of one of the retained batches of the current epoch is a {@link
     *       ProducerCheck.Duplicate};
     *   <li>an epoch older than the current one is {@link Errors#INVALID_PRODUCER_EPOCH};
     *   <li>a newer epoch must start at sequence 0, unless no epoch is known yet;
     *   <li>within an epoch the base sequence must follow the last one, wrapping after {@link
     *       Integer#MAX_VALUE} to 0; otherwise {@link Errors#OUT_OF_ORDER_SEQUENCE_NUMBER}.
     * </ul>
     *
     * Nothing is staged; call {@link #stage} for an accepted batch. The batch is taken as not
     * transactional; see {@link #check(long, short, int, int, boolean)}.
     */
    public ProducerCheck check(long producerId, short producerEpoch, int baseSequence, int lastSequence) {
        return check(producerId, producerEpoch, baseSequence, lastSequence, false);
    }

    /**
     * As {@link #check(long, short, int, int)}, and, as Kafka's {@code ProducerAppendInfo} does, a
     * non-transactional batch of a producer whose transaction is still open here is {@link
     * Errors#INVALID_TXN_STATE}.
     */
    public ProducerCheck check(
            long producerId, short producerEpoch, int baseSequence, int lastSequence, boolean isTransactional) {
        ProducerCheck check = checkSequenceAndEpoch(producerId, producerEpoch, baseSequence, lastSequence);
        if (check != ProducerCheck.ACCEPTED || isTransactional) {
            return check;
        }
        Optional<ProducerEntry> current = currentEntry(producerId);
        if (current.isPresent() && current.get().currentTxnFirstOffset().isPresent()) {
            return new ProducerCheck.Rejected(
                    Errors.INVALID_TXN_STATE,
                    "expected a transactional write from producer " + producerId + " in " + table.dirName()
                            + ": its transaction started at offset "
                            + current.get().currentTxnFirstOffset().getAsLong() + " is still open");
        }
        return check;
    }

    private ProducerCheck checkSequenceAndEpoch(
            long producerId, short producerEpoch, int baseSequence, int lastSequence) {
        requireProducerId(producerId);
        Optional<ProducerEntry> maybeCurrent = currentEntry(producerId);
        if (maybeCurrent.isEmpty()) {
            return ProducerCheck.ACCEPTED;
        }
        ProducerEntry current = maybeCurrent.get();
        Optional<BatchMetadata> duplicate = current.findDuplicateBatch(producerEpoch, baseSequence, lastSequence);
        if (duplicate.isPresent()) {
            return new ProducerCheck.Duplicate(duplicate.get());
        }
        if (producerEpoch < current.producerEpoch()) {
            // Since Kafka 2.7 (KIP-588) a produce with an old epoch fails with INVALID_PRODUCER_EPOCH,
            // no longer the fatal PRODUCER_FENCED.
            return new ProducerCheck.Rejected(
                    Errors.INVALID_PRODUCER_EPOCH,
                    "epoch " + producerEpoch + " of producer " + producerId + " in " + table.dirName()
                            + " is older than its current epoch " + current.producerEpoch());
        }
        if (producerEpoch != current.producerEpoch()) {
            return checkNewEpoch(current, producerEpoch, baseSequence);
        }
        return checkSequence(current, baseSequence);
    }

    /**
     * Records a batch that is being appended at {@code firstOffset..lastOffset}. A transactional
     * batch of a producer with no ongoing transaction starts one at {@code firstOffset}.
     */
    public void stage(
            long producerId,
            short producerEpoch,
            int baseSequence,
            int lastSequence,
            long firstOffset,
            long lastOffset,
            long maxTimestamp,
            boolean isTransactional) {
        requireProducerId(producerId);
        ProducerEntry current = currentEntry(producerId).orElseGet(() -> ProducerEntry.empty(producerId));
        BatchMetadata batch = new BatchMetadata(baseSequence, lastSequence, firstOffset, lastOffset, maxTimestamp);
        ProducerEntry updated = current.withBatch(producerEpoch, batch);
        if (isTransactional && updated.currentTxnFirstOffset().isEmpty()) {
            updated = updated.withCurrentTxnFirstOffset(firstOffset);
            started.add(new TxnStart(producerId, firstOffset));
        }
        staged.put(producerId, updated);
    }

    /**
     * Checks a commit or abort marker the transaction coordinator asks to write (Kafka's {@code
     * appendEndTxnMarker} checks):
     *
     * <ul>
     *   <li>a coordinator epoch below the one of the producer's last marker is a zombie coordinator:
     *       {@link Errors#TRANSACTION_COORDINATOR_FENCED};
     *   <li>with transaction version 2 every marker bumps the epoch, so its epoch must be above the
     *       producer's; the same epoch is accepted only as the retry of a marker already written (no
     *       transaction open). Before version 2 the epoch must not be below the producer's. Otherwise
     *       {@link Errors#INVALID_PRODUCER_EPOCH}.
     * </ul>
     */
    public ProducerCheck checkMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, short transactionVersion) {
        requireProducerId(producerId);
        ProducerEntry current = currentEntry(producerId).orElseGet(() -> ProducerEntry.empty(producerId));
        boolean bumps = transactionVersion >= 2;
        boolean stale = bumps ? producerEpoch <= current.producerEpoch() : producerEpoch < current.producerEpoch();
        boolean retriedMarker = bumps
                && producerEpoch == current.producerEpoch()
                && (current.currentTxnFirstOffset().isEmpty() || producerEpoch == Short.MAX_VALUE);
        if (stale && !retriedMarker) {
            return new ProducerCheck.Rejected(
                    Errors.INVALID_PRODUCER_EPOCH,
                    "marker epoch " + producerEpoch + " of producer " + producerId + " in " + table.dirName() + " is "
                            + (bumps ? "not above" : "below") + " its current epoch " + current.producerEpoch()
                            + " (transaction version " + transactionVersion + ")");
        }
        if (current.coordinatorEpoch() > coordinatorEpoch) {
            return new ProducerCheck.Rejected(
                    Errors.TRANSACTION_COORDINATOR_FENCED,
                    "marker of coordinator epoch " + coordinatorEpoch + " for producer " + producerId + " in "
                            + table.dirName() + " is older than coordinator epoch " + current.coordinatorEpoch());
        }
        return ProducerCheck.ACCEPTED;
    }

    /**
     * Records a marker written at {@code offset}: the producer's open transaction (if any) ends and
     * is returned; its epoch becomes {@code producerEpoch}.
     */
    public Optional<CompletedTxn> stageMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, long offset, long timestamp, boolean isAbort) {
        requireProducerId(producerId);
        ProducerEntry current = currentEntry(producerId).orElseGet(() -> ProducerEntry.empty(producerId));
        Optional<CompletedTxn> ended = Optional.empty();
        if (current.currentTxnFirstOffset().isPresent()) {
            CompletedTxn txn =
                    new CompletedTxn(producerId, current.currentTxnFirstOffset().getAsLong(), offset, isAbort);
            completed.add(txn);
            ended = Optional.of(txn);
        }
        staged.put(producerId, current.withMarker(producerEpoch, coordinatorEpoch, timestamp));
        return ended;
    }

    /** The transactions this append starts, in offset order. */
    public List<TxnStart> startedTransactions() {
        return Collections.unmodifiableList(started);
    }

    /** The transactions this append's markers end, in offset order. */
    public List<CompletedTxn> completedTransactions() {
        return Collections.unmodifiableList(completed);
    }

    /** The entries this append changes, by producer id (unmodifiable view). */
    public Map<Long, ProducerEntry> stagedEntries() {
        return Collections.unmodifiableMap(staged);
    }

    ProducerStateTable table() {
        return table;
    }

    long tableVersion() {
        return tableVersion;
    }

    private Optional<ProducerEntry> currentEntry(long producerId) {
        ProducerEntry stagedEntry = staged.get(producerId);
        return stagedEntry != null ? Optional.of(stagedEntry) : table.entry(producerId);
    }

    private ProducerCheck checkNewEpoch(ProducerEntry current, short producerEpoch, int baseSequence) {
        if (baseSequence == 0 || current.producerEpoch() == RecordBatch.NO_PRODUCER_EPOCH) {
            return ProducerCheck.ACCEPTED;
        }
        return new ProducerCheck.Rejected(
                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                "sequence " + baseSequence + " for new epoch " + producerEpoch + " of producer "
                        + current.producerId() + " in " + table.dirName() + " must be 0 (current epoch "
                        + current.producerEpoch() + ")");
    }

    private ProducerCheck checkSequence(ProducerEntry current, int baseSequence) {
        // An entry with no batch (loaded from a snapshot taken after a transaction marker) expects
        // sequence 0, as in Kafka: its last sequence is NO_SEQUENCE (-1).
        if (BatchMetadata.isNextSequence(current.lastSeq(), baseSequence)) {
            return ProducerCheck.ACCEPTED;
        }
        int expected = current.lastSeq() == Integer.MAX_VALUE ? 0 : current.lastSeq() + 1;
        return new ProducerCheck.Rejected(
                Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
                "out of order sequence " + baseSequence + " for producer " + current.producerId() + " epoch "
                        + current.producerEpoch() + " in " + table.dirName() + ", expected " + expected);
    }

    private static void requireProducerId(long producerId) {
        if (producerId == RecordBatch.NO_PRODUCER_ID) {
            throw new IllegalArgumentException("a batch without a producer id has no producer state");
        }
    }
}
