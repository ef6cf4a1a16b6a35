package io.varve.storage.index;

/**
 * One {@link OffsetIndex} entry: the batch holding {@code offset} starts at byte {@code position} of the
 * segment's log file.
 */
public record OffsetPosition(long offset, int position) {}
