/**
 * Producer state for idempotent (and, later, transactional) producers: per partition, the last
 * epoch and sequence numbers each producer id has written, used to reject out-of-order and fenced
 * batches and to answer retries of already-appended batches with their original offsets.
 *
 * <p>{@link io.varve.storage.producer.ProducerStateTable} is the entry point; it is owned by the
 * partition log and confined to the actor that owns that log. Its snapshots use Apache Kafka's
 * {@code .snapshot} file format ({@link io.varve.storage.producer.ProducerSnapshotFile}).
 */
package io.varve.storage.producer;
