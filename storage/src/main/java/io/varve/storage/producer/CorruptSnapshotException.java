package io.varve.storage.producer;

import java.io.IOException;

/**
 * A producer state snapshot file that cannot be trusted: wrong version, CRC mismatch, truncated or
 * malformed content. {@link ProducerStateTable#truncateAndReload} deletes such a file and falls back
 * to the next older snapshot.
 */
public final class CorruptSnapshotException extends IOException {

    private static final long serialVersionUID = 1L;

    public CorruptSnapshotException(String message) {
        super(message);
    }
}
