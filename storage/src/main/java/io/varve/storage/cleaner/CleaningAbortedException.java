package io.varve.storage.cleaner;

/**
 * Thrown on a cleaner thread when its cleaning was called off (the partition stopped or was deleted,
 * the node is shutting down). Not a failure: the partition is not marked uncleanable.
 */
public final class CleaningAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CleaningAbortedException(String message) {
        super(message);
    }
}
