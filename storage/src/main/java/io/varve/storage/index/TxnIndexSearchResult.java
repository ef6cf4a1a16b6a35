package io.varve.storage.index;

import java.util.List;

/**
 * The aborted transactions one {@link TransactionIndex} holds for a fetch range, and whether the search is
 * complete: when {@code isComplete} is false, later segments may hold more aborted transactions overlapping
 * the range and must be searched too.
 */
public record TxnIndexSearchResult(List<AbortedTxn> abortedTransactions, boolean isComplete) {
    public TxnIndexSearchResult {
        abortedTransactions = List.copyOf(abortedTransactions);
    }
}
