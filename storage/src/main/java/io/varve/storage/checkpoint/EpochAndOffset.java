package io.varve.storage.checkpoint;

/**
 * The answer to an OffsetsForLeaderEpoch question: the largest known epoch at or below the requested one and
 * the offset where it ends, or {@link LeaderEpochCache#UNDEFINED_EPOCH} and
 * {@link LeaderEpochCache#UNDEFINED_EPOCH_OFFSET} when there is no answer.
 */
public record EpochAndOffset(int leaderEpoch, long endOffset) {}
