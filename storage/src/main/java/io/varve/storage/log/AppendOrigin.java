package io.varve.storage.log;

/** Who is appending: a producer (offsets assigned, batches validated) or replication (kept as is). */
public enum AppendOrigin {
    CLIENT,
    REPLICATION
}
