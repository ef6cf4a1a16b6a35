package io.varve.storage.index;

/**
 * One {@link TimeIndex} entry: {@code timestamp} is the largest record timestamp the segment held up to the
 * batch containing {@code offset}, so any record with a larger timestamp lies after that batch.
 */
public record TimestampOffset(long timestamp, long offset) {}
