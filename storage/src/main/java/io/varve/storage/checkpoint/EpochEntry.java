package io.varve.storage.checkpoint;

/** The first offset written in a leader epoch: one line of the {@code leader-epoch-checkpoint}. */
public record EpochEntry(int epoch, long startOffset) {}
