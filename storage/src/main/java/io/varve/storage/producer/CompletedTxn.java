package io.varve.storage.producer;

/**
 * A transaction a commit or abort marker ended in one partition: the producer, the offset of its
 * first batch here and the offset of the marker. An aborted one becomes an entry of the segment's
 * {@code .txnindex} so read_committed consumers can drop its records.
 *
 * @param producerId the producer whose transaction ended
 * @param firstOffset the offset of the transaction's first batch in this partition
 * @param lastOffset the offset of the marker
 * @param isAborted whether the marker is an abort
 */
public record CompletedTxn(long producerId, long firstOffset, long lastOffset, boolean isAborted) {}
