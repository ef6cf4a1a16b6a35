package io.varve.storage.log;

import io.varve.storage.index.AbortedTxn;
import io.varve.storage.index.TxnIndexSearchResult;
import io.varve.storage.producer.CompletedTxn;
import io.varve.storage.producer.ProducerAppend;
import io.varve.storage.producer.ProducerStateTable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The transaction bookkeeping of a partition log that spans segments: ending the transactions an
 * append's markers completed (an aborted one becomes an entry of the marker segment's {@code
 * .txnindex}, with the last stable offset Kafka records), and collecting the aborted transactions
 * a read_committed fetch must report. Stateless; called by {@link PartitionLog} and {@link
 * LogLoader} on the thread that owns the log.
 */
final class LogTransactions {
    private LogTransactions() {}

    /**
     * Ends the transactions {@code append} completed, after it was committed to {@code
     * producerState}; aborts are indexed in {@code segment}, the segment holding their markers.
     */
    static void completeTransactions(ProducerAppend append, ProducerStateTable producerState, LogSegment segment)
            throws IOException {
        for (CompletedTxn txn : append.completedTransactions()) {
            complete(txn, producerState, segment, true);
        }
    }

    /** Ends one transaction; with {@code index}, an abort is appended to {@code segment}'s txn index. */
    static void complete(CompletedTxn txn, ProducerStateTable producerState, LogSegment segment, boolean index)
            throws IOException {
        if (txn.isAborted() && index) {
            long lastStableOffset = producerState.lastStableOffset(txn);
            segment.txnIndex()
                    .append(new AbortedTxn(txn.producerId(), txn.firstOffset(), txn.lastOffset(), lastStableOffset));
        }
        producerState.completeTxn(txn);
    }

    /**
     * The aborted transactions overlapping {@code [fetchOffset, upperBoundOffset)}, from the
     * segment holding {@code fetchOffset} on until a segment's index says the search is complete
     * (an abort marker at or past {@code fetchOffset} is never in an earlier segment).
     */
    static List<AbortedTxn> collectAborted(
            NavigableMap<Long, LogSegment> segments, long fetchOffset, long upperBoundOffset) throws IOException {
        List<AbortedTxn> aborted = new ArrayList<>();
        Long start = segments.floorKey(fetchOffset);
        for (Map.Entry<Long, LogSegment> entry : segments.tailMap(start == null ? segments.firstKey() : start, true)
                .entrySet()) {
            TxnIndexSearchResult result = entry.getValue().txnIndex().collectAbortedTxns(fetchOffset, upperBoundOffset);
            aborted.addAll(result.abortedTransactions());
            if (result.isComplete()) {
                break;
            }
        }
        return aborted;
    }
}
