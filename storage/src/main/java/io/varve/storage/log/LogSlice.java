package io.varve.storage.log;

import java.nio.ByteBuffer;

/**
 * A byte range of a segment holding whole record batches, in one of three forms:
 *
 * <ul>
 *   <li>empty ({@code length} 0): nothing to send, no file held;
 *   <li>in memory ({@code bytes}): small reads, copied on the storage dispatcher;
 *   <li>zero copy ({@code file}): an open, retained handle on the segment file, sent with {@code
 *       sendfile}. The handle keeps the bytes readable if the segment is deleted before the send;
 *       whoever sends or drops the slice calls {@link #release()} once it is done with it.
 * </ul>
 *
 * @param file the retained segment file for a zero-copy slice, else {@code null}
 * @param position where the first batch starts in the segment file
 * @param length bytes from {@code position}; 0 for an empty read
 * @param firstBatchOffset the base offset of the first batch in the slice (for an empty slice, the
 *     offset the read started at)
 * @param bytes the slice's bytes when it was read into memory, else {@code null}
 */
public record LogSlice(RetainedFile file, int position, int length, long firstBatchOffset, ByteBuffer bytes) {

    /** A read that found nothing to send at {@code offset}. */
    public static LogSlice empty(int position, long offset) {
        return new LogSlice(null, position, 0, offset, null);
    }

    /** A slice sent from the segment file (zero copy); {@code file} is released after the send. */
    public static LogSlice ofFile(RetainedFile file, int position, int length, long firstBatchOffset) {
        return new LogSlice(file, position, length, firstBatchOffset, null);
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** Whether the bytes were read into memory. */
    public boolean hasBytes() {
        return bytes != null;
    }

    /** Whether the slice holds a segment file to be sent with {@code sendfile} and released after. */
    public boolean hasFile() {
        return file != null;
    }

    /** Gives back the retained file, if any; idempotent. Call when the slice is sent or dropped. */
    public void release() {
        if (file != null) {
            file.release();
        }
    }
}
