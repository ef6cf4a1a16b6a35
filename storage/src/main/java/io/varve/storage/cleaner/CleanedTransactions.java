package io.varve.storage.cleaner;

import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.CleanedSegment;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The transactions the cleaner is walking through, batch by batch in offset order, as Kafka's cleaner
 * tracks them: which producers are inside an aborted transaction (their data batches are dropped) and
 * which inside one that will commit, so that it can tell when a transaction marker is no longer needed.
 *
 * <ul>
 *   <li>A data batch of an aborted transaction (known from the aborted-transaction index) can go.
 *   <li>An abort marker stays, and its entry is written to the cleaned segment's transaction index, as
 *       long as a batch of its transaction was seen in this cleaning (consumers still need it to drop
 *       them); once none is left it can go (after {@code delete.retention.ms}, see the filter).
 *   <li>A commit marker can go when no batch of its transaction was seen.
 * </ul>
 *
 * One instance lives for one cleaning, carried across the segment groups in order. Not thread-safe:
 * owned by the cleaner thread.
 */
final class CleanedTransactions {
    private final Set<Long> ongoingCommitted = new HashSet<>();
    private final Map<Long, OngoingAbort> ongoingAborted = new HashMap<>();
    private final PriorityQueue<AbortedTxn> aborted =
            new PriorityQueue<>(Comparator.comparingLong(AbortedTxn::firstOffset));
    private CleanedSegment cleanedIndex;

    private static final class OngoingAbort {
        private final AbortedTxn txn;
        private boolean batchSeen;

        private OngoingAbort(AbortedTxn txn) {
            this.txn = txn;
        }
    }

    void addAbortedTransactions(List<AbortedTxn> abortedTxns) {
        aborted.addAll(abortedTxns);
    }

    /** Where retained abort markers' index entries go (the segment being written), or null in the map pass. */
    void writeIndexTo(CleanedSegment segment) {
        this.cleanedIndex = segment;
    }

    /** A control batch was reached; returns whether it may be discarded. */
    boolean onControlBatchRead(RecordBatch controlBatch) throws IOException {
        startAbortedUpTo(controlBatch.lastOffset());
        Iterator<Record> records = controlBatch.iterator();
        if (!records.hasNext()) {
            return true; // emptied by an earlier cleaning
        }
        ControlRecordType type = ControlRecordType.parse(records.next().key());
        long producerId = controlBatch.producerId();
        switch (type) {
            case ABORT -> {
                OngoingAbort abort = ongoingAborted.remove(producerId);
                if (abort != null && abort.batchSeen) {
                    if (cleanedIndex != null) {
                        cleanedIndex.appendAbortedTxn(abort.txn);
                    }
                    return false;
                }
                return true;
            }
            case COMMIT -> {
                return !ongoingCommitted.remove(producerId);
            }
            default -> {
                return false;
            }
        }
    }

    /** A data batch was reached; returns whether it belongs to an aborted transaction (and may go). */
    boolean onBatchRead(RecordBatch batch) {
        startAbortedUpTo(batch.lastOffset());
        if (!batch.isTransactional()) {
            return false;
        }
        OngoingAbort abort = ongoingAborted.get(batch.producerId());
        if (abort != null) {
            abort.batchSeen = true;
            return true;
        }
        ongoingCommitted.add(batch.producerId());
        return false;
    }

    private void startAbortedUpTo(long offset) {
        while (!aborted.isEmpty() && aborted.peek().firstOffset() <= offset) {
            AbortedTxn txn = aborted.poll();
            ongoingAborted.putIfAbsent(txn.producerId(), new OngoingAbort(txn));
        }
    }
}
