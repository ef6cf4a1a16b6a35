package io.varve.storage.producer;

import java.util.Collections;
import java.util.LinkedHashMap;
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
     * Nothing is staged; call {@link #stage} for an accepted batch.
     */
    public ProducerCheck check(long producerId, short producerEpoch, int baseSequence, int lastSequence) {
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
        }
        staged.put(producerId, updated);
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
