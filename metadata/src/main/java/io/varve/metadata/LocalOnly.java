package io.varve.metadata;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/**
 * Marker for messages that never leave their node: they carry {@code MemoryRecords}, file slices,
 * kafka-clients request objects or local futures. Exempt from {@code serialize-messages} checks in
 * tests, which every other message must pass (Kryo, {@link VarveSerializable}).
 */
public interface LocalOnly extends NoSerializationVerificationNeeded {}
