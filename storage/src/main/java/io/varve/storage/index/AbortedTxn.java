package io.varve.storage.index;

/**
 * One aborted transaction, as a {@link TransactionIndex} entry and as the FetchResponse's
 * {@code AbortedTransactions} element: the producer, its transaction's first offset, the offset of its abort
 * marker ({@code lastOffset}) and the partition's last stable offset when the abort was written.
 */
public record AbortedTxn(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
