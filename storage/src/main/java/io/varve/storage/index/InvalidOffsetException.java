package io.varve.storage.index;

/**
 * An offset that an index cannot take: not above the index's last offset, or too far from the segment's
 * base offset to be stored as a 32-bit relative offset. Always a bug in the caller, never client input.
 */
public class InvalidOffsetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InvalidOffsetException(String message) {
        super(message);
    }
}
