package io.varve.storage.index;

/**
 * An index file whose content cannot be valid: a length that is not a whole number of entries, offsets
 * below the segment's base offset, entries out of order, or a torn trailing entry. The owner of the
 * segment reacts by rebuilding the index from the segment's log file, as Kafka's log recovery does.
 */
public class CorruptIndexException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CorruptIndexException(String message) {
        super(message);
    }
}
