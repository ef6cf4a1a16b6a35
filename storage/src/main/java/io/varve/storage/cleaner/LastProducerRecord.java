package io.varve.storage.cleaner;

/**
 * What the cleaner must keep of one active idempotent or transactional producer: the batch holding its
 * last data offset (it carries the producer's last sequence, so duplicate detection and sequence checks
 * survive cleaning), or, when its last entry is a transaction marker, that marker (it carries the
 * latest producer epoch, which fences zombies).
 *
 * @param lastDataOffset the last offset of the producer's last data batch, -1 when it has none
 */
public record LastProducerRecord(long lastDataOffset, short producerEpoch) {
    public boolean hasLastDataOffset() {
        return lastDataOffset >= 0;
    }
}
