package io.varve.metadata;

/**
 * Marker for messages, events and snapshots that cross nodes or go to the journal. Bound to Varve's
 * Kryo serializer in {@code reference.conf}; every implementing class (and every class it holds) is
 * registered there with an explicit id. Local-only messages (those carrying {@code MemoryRecords},
 * file handles or kafka-clients request objects) must not implement it.
 */
public interface VarveSerializable {}
