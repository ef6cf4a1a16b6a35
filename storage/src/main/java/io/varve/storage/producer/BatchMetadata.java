package io.varve.storage.producer;

/**
 * The position of one appended record batch of a producer: its sequence range, its offset range and
 * its max timestamp. A producer's entry keeps the metadata of its last few batches so that a retried
 * batch can be recognised and answered with the offsets it was first appended at.
 *
 * <p>Immutable. For a batch of a compacted log the sequence range can be wider than the offset
 * range, so the two are not checked against each other.
 *
 * @param firstSeq the base sequence of the batch
 * @param lastSeq the sequence of the last record of the batch
 * @param firstOffset the log offset of the first record of the batch
 * @param lastOffset the log offset of the last record of the batch
 * @param timestamp the max timestamp of the batch
 */
public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {

    public BatchMetadata {
        if (lastOffset < firstOffset || lastOffset - firstOffset > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("invalid batch offset range " + firstOffset + ".." + lastOffset
                    + " (sequences " + firstSeq + ".." + lastSeq + ")");
        }
    }

    /**
     * Rebuilds the metadata of a batch known only by its last sequence, last offset and offset delta,
     * as a snapshot stores it. Sequences wrap from {@link Integer#MAX_VALUE} to 0, so the first
     * sequence is counted back across the wrap.
     */
    static BatchMetadata ofLast(int lastSeq, long lastOffset, int offsetDelta, long timestamp) {
        return new BatchMetadata(
                decrementSequence(lastSeq, offsetDelta), lastSeq, lastOffset - offsetDelta, lastOffset, timestamp);
    }

    /** The number of offsets between the first and the last record of the batch. */
    public int offsetDelta() {
        return (int) (lastOffset - firstOffset);
    }

    /** Whether {@code nextSeq} directly follows {@code lastSeq}, wrapping after {@link Integer#MAX_VALUE}. */
    static boolean isNextSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    private static int decrementSequence(int sequence, int decrement) {
        if (sequence < decrement) {
            return Integer.MAX_VALUE - (decrement - sequence) + 1;
        }
        return sequence - decrement;
    }
}
