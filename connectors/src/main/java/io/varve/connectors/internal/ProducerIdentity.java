package io.varve.connectors.internal;

import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The producer id and epoch an in-process sink stamps on its batches: an idempotent sink gets an id
 * from the node's producer-id manager (epoch 0), as InitProducerId gives a Kafka producer; a
 * non-idempotent one writes {@link #NONE}.
 */
public record ProducerIdentity(long producerId, short producerEpoch) {
    public static final ProducerIdentity NONE =
            new ProducerIdentity(RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);

    public boolean isIdempotent() {
        return producerId != RecordBatch.NO_PRODUCER_ID;
    }
}
