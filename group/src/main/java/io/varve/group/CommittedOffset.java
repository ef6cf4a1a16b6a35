package io.varve.group;

import org.apache.kafka.common.Uuid;

/**
 * A committed offset of one partition as stored by the group coordinator.
 *
 * @param offset the next offset the group will consume
 * @param leaderEpoch the leader epoch of the record before {@code offset}, or -1
 * @param metadata the client's metadata string (never null; "" when none was given)
 * @param commitTimestampMs when the coordinator accepted the commit
 * @param topicId the id of the topic when the offset was committed ({@link Uuid#ZERO_UUID} when
 *     unknown): a topic deleted and created again under the same name gets a new id, and the
 *     offsets of the old one are removed
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs, Uuid topicId) {

    /** An offset whose topic id is not known. */
    public CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
        this(offset, leaderEpoch, metadata, commitTimestampMs, Uuid.ZERO_UUID);
    }

    /** The same offset as accepted at {@code timestampMs}. */
    public CommittedOffset committedAt(long timestampMs) {
        return new CommittedOffset(offset, leaderEpoch, metadata, timestampMs, topicId);
    }
}
