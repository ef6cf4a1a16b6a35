package io.varve.connectors.stream;

/**
 * Kafka's {@code auto.offset.reset}: where a source goes when its offset is outside the log (or a
 * committable source's group has no offset for a partition).
 */
public enum OffsetReset {
    /** To the log start offset. */
    EARLIEST,
    /** To the high watermark. */
    LATEST,
    /** Nowhere: the source fails with {@code OffsetOutOfRangeException} / {@code NoOffsetForPartitionException}. */
    NONE
}
