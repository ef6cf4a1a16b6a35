package io.varve.group;

/**
 * A committed offset of one partition as stored by the group coordinator.
 *
 * @param offset the next offset the group will consume
 * @param leaderEpoch the leader epoch of the record before {@code offset}, or -1
 * @param metadata the client's metadata string (never null; "" when none was given)
 * @param commitTimestampMs when the coordinator accepted the commit
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {}
