package io.varve.storage.log;

import java.nio.file.Path;

/**
 * Told once when a {@link LogDirectory} fails: an I/O error (a full disk, a failing device, a file
 * removed under the broker) in any log or checkpoint in it. Kafka's {@code LogDirFailureChannel}
 * plays this part; with one log directory a Kafka broker then halts, and so does a Varve node (the
 * node registers the listener; {@code docs/cluster.md}, "A failed data directory").
 *
 * <p>Called on the thread that hit the error (a partition actor's, on the storage dispatcher, or the
 * replica manager's): an implementation must return at once and never block.
 */
@FunctionalInterface
public interface LogDirFailureListener {
    /**
     * @param dir the failed data directory
     * @param operation what failed, naming the log or file (e.g. {@code "append of orders-0"})
     * @param cause the error, e.g. an {@code IOException} "No space left on device"
     */
    void logDirFailed(Path dir, String operation, Throwable cause);

    /** The listener of a directory nobody watches (tests, tools): the failure is logged only. */
    LogDirFailureListener NONE = (dir, operation, cause) -> {};
}
