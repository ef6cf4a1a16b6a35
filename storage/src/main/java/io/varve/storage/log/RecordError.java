package io.varve.storage.log;

/**
 * One rejected record of a produce request (KIP-467): its index inside its batch and why, as the
 * ProduceResponse's {@code RecordErrors} carry it. Clients fail that record with the partition's
 * error and the other records of the batch as collateral.
 */
public record RecordError(int batchIndex, String message) {}
