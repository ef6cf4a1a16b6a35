package io.varve.storage.producer;

import org.apache.kafka.common.protocol.Errors;

/**
 * The outcome of checking one client batch of an idempotent producer against the producer state
 * ({@link ProducerAppend#check}).
 */
public sealed interface ProducerCheck {

    /** The single {@link Accepted} value. */
    ProducerCheck ACCEPTED = new Accepted();

    /** The batch continues the producer's sequence (or the producer is unknown): append it. */
    record Accepted() implements ProducerCheck {}

    /**
     * The batch is a retry of one already in the log: do not append it again. Kafka answers the
     * produce request with success and the original base offset.
     *
     * @param original the batch as it was first appended
     */
    record Duplicate(BatchMetadata original) implements ProducerCheck {}

    /**
     * The batch must not be appended; the produce request fails with {@code error} for this
     * partition.
     *
     * @param error the Kafka error code, {@code OUT_OF_ORDER_SEQUENCE_NUMBER} or {@code
     *     INVALID_PRODUCER_EPOCH}
     * @param message why, with the numbers
     */
    record Rejected(Errors error, String message) implements ProducerCheck {}
}
