package io.varve.storage.log;

/**
 * Why one record of a rejected batch failed validation (KIP-467): Kafka's per-record error of a
 * Produce response ({@code record_errors}, from v8), carried with {@code INVALID_RECORD} and {@code
 * INVALID_TIMESTAMP}. Clients fail that record with the partition's error and the other records of
 * the batch as collateral.
 *
 * @param batchIndex the record's position in its batch, from 0
 * @param message what is wrong with it, with the numbers
 */
public record RecordError(int batchIndex, String message) {}
