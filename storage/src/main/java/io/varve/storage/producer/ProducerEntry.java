package io.varve.storage.producer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What a partition knows about one producer id: its current epoch, the metadata of its last {@value
 * #NUM_BATCHES_TO_RETAIN} batches (oldest first), the time of its last write, the epoch of the
 * transaction coordinator that last wrote a marker for it, and the first offset of its ongoing
 * transaction.
 *
 * <p>Immutable: every update returns a new entry, so a {@link ProducerAppend} can stage changes
 * without touching the committed state and {@link ProducerStateTable#activeProducers()} can be sent
 * to another actor as is.
 *
 * <p>An entry with no batches (read from a snapshot written after a transaction marker) has no
 * sequence: {@link #lastSeq()} is {@link RecordBatch#NO_SEQUENCE} and {@link #lastOffset()} is -1.
 *
 * @param producerId the producer id
 * @param producerEpoch the current epoch, {@link RecordBatch#NO_PRODUCER_EPOCH} if none is known
 * @param batchMetadata the last batches of the current epoch, oldest first, at most {@value
 *     #NUM_BATCHES_TO_RETAIN}
 * @param lastTimestamp the max timestamp of the last write, which expiration is measured from
 * @param coordinatorEpoch the coordinator epoch of the last transaction marker, -1 if none
 * @param currentTxnFirstOffset the first offset of the ongoing transaction, if any
 */
public record ProducerEntry(
        long producerId,
        short producerEpoch,
        List<BatchMetadata> batchMetadata,
        long lastTimestamp,
        int coordinatorEpoch,
        OptionalLong currentTxnFirstOffset) {

    /**
     * How many batches are remembered per producer. Kafka retains 5, the most in-flight requests a
     * producer with idempotence enabled may have ({@code max.in.flight.requests.per.connection}).
     */
    public static final int NUM_BATCHES_TO_RETAIN = 5;

    /** The coordinator epoch of a producer no transaction marker has been written for. */
    public static final int NO_COORDINATOR_EPOCH = -1;

    public ProducerEntry {
        batchMetadata = List.copyOf(batchMetadata);
        Objects.requireNonNull(currentTxnFirstOffset, "currentTxnFirstOffset");
        if (batchMetadata.size() > NUM_BATCHES_TO_RETAIN) {
            throw new IllegalArgumentException("producer " + producerId + " has " + batchMetadata.size()
                    + " batches, at most " + NUM_BATCHES_TO_RETAIN + " are retained");
        }
    }

    /** An entry for a producer nothing is known about yet. */
    public static ProducerEntry empty(long producerId) {
        return new ProducerEntry(
                producerId,
                RecordBatch.NO_PRODUCER_EPOCH,
                List.of(),
                RecordBatch.NO_TIMESTAMP,
                NO_COORDINATOR_EPOCH,
                OptionalLong.empty());
    }

    /** Whether no batch of the current epoch is retained. */
    public boolean isEmpty() {
        return batchMetadata.isEmpty();
    }

    /** The base sequence of the oldest retained batch, or {@link RecordBatch#NO_SEQUENCE}. */
    public int firstSeq() {
        return isEmpty() ? RecordBatch.NO_SEQUENCE : batchMetadata.get(0).firstSeq();
    }

    /** The last sequence of the newest batch, or {@link RecordBatch#NO_SEQUENCE}. */
    public int lastSeq() {
        return isEmpty() ? RecordBatch.NO_SEQUENCE : lastBatch().lastSeq();
    }

    /** The first offset of the oldest retained batch, or -1. */
    public long firstOffset() {
        return isEmpty() ? -1L : batchMetadata.get(0).firstOffset();
    }

    /** The last offset of the newest batch, or -1. */
    public long lastOffset() {
        return isEmpty() ? -1L : lastBatch().lastOffset();
    }

    /** The offset delta of the newest batch, or 0. */
    public int lastOffsetDelta() {
        return isEmpty() ? 0 : lastBatch().offsetDelta();
    }

    /**
     * The retained batch a client batch is a retry of: same epoch, same first and last sequence (as
     * Kafka's {@code ProducerStateEntry.findDuplicateBatch}).
     */
    public Optional<BatchMetadata> findDuplicateBatch(short epoch, int firstSeq, int lastSeq) {
        if (epoch != producerEpoch) {
            return Optional.empty();
        }
        return batchMetadata.stream()
                .filter(batch -> batch.firstSeq() == firstSeq && batch.lastSeq() == lastSeq)
                .findFirst();
    }

    /**
     * This entry after appending {@code batch} with {@code epoch}. A new epoch starts a new sequence,
     * so the batches of the previous epoch are forgotten; beyond {@value #NUM_BATCHES_TO_RETAIN}
     * batches the oldest is evicted.
     */
    public ProducerEntry withBatch(short epoch, BatchMetadata batch) {
        List<BatchMetadata> batches = new ArrayList<>(NUM_BATCHES_TO_RETAIN);
        if (epoch == producerEpoch) {
            batches.addAll(batchMetadata);
        }
        if (batches.size() == NUM_BATCHES_TO_RETAIN) {
            batches.remove(0);
        }
        batches.add(batch);
        return new ProducerEntry(
                producerId, epoch, batches, batch.timestamp(), coordinatorEpoch, currentTxnFirstOffset);
    }

    /** This entry with an ongoing transaction that starts at {@code firstOffset}. */
    public ProducerEntry withCurrentTxnFirstOffset(long firstOffset) {
        return new ProducerEntry(
                producerId,
                producerEpoch,
                batchMetadata,
                lastTimestamp,
                coordinatorEpoch,
                OptionalLong.of(firstOffset));
    }

    /**
     * This entry after a transaction marker written at {@code timestamp} by a coordinator at {@code
     * coordinatorEpoch}: the transaction is over and the producer's epoch is {@code epoch} (one above
     * the data's with transaction version 2). As in Kafka, the retained batches are kept unless the
     * epoch changed, so a retry of the transaction's last batch is still recognised.
     */
    public ProducerEntry withMarker(short epoch, int coordinatorEpoch, long timestamp) {
        List<BatchMetadata> batches = epoch == producerEpoch ? batchMetadata : List.of();
        return new ProducerEntry(producerId, epoch, batches, timestamp, coordinatorEpoch, OptionalLong.empty());
    }

    /**
     * This entry with {@code earlier}, batches of its current epoch read back from the log before its
     * oldest retained one (oldest first), in front of its batches: a snapshot stores only the newest
     * batch of each producer. Only the run of batches whose sequences lead without a gap into the
     * oldest retained one is taken, and at most {@value #NUM_BATCHES_TO_RETAIN} are retained in all.
     */
    public ProducerEntry withEarlierBatches(List<BatchMetadata> earlier) {
        if (isEmpty() || earlier.isEmpty()) {
            return this;
        }
        List<BatchMetadata> batches = new ArrayList<>(batchMetadata);
        for (int i = earlier.size() - 1; i >= 0 && batches.size() < NUM_BATCHES_TO_RETAIN; i--) {
            BatchMetadata candidate = earlier.get(i);
            BatchMetadata next = batches.get(0);
            if (candidate.lastOffset() >= next.firstOffset()
                    || !BatchMetadata.isNextSequence(candidate.lastSeq(), next.firstSeq())) {
                break;
            }
            batches.add(0, candidate);
        }
        return new ProducerEntry(
                producerId, producerEpoch, batches, lastTimestamp, coordinatorEpoch, currentTxnFirstOffset);
    }

    private BatchMetadata lastBatch() {
        return batchMetadata.get(batchMetadata.size() - 1);
    }
}
