package io.varve.storage.log;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A byte range of a segment file holding whole record batches, ready for zero-copy transfer
 * ({@code sendfile}). The file may be renamed {@code .deleted} while a transfer is in flight;
 * deletion waits {@code file.delete.delay.ms}, so a reader that opened the file keeps reading.
 *
 * @param file the segment's {@code .log} file
 * @param position where the first batch starts
 * @param length bytes from {@code position}; 0 for an empty read
 * @param firstBatchOffset the base offset of the first batch in the slice (for an empty slice, the
 *     offset the read started at)
 * @param bytes the slice's bytes when it was read into memory, else {@code null}
 */
public record LogSlice(Path file, int position, int length, long firstBatchOffset, ByteBuffer bytes) {

    /** A slice to be sent from the file (zero copy). */
    public LogSlice(Path file, int position, int length, long firstBatchOffset) {
        this(file, position, length, firstBatchOffset, null);
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** Whether the bytes were read into memory (small reads, see {@link PartitionLog#withBytes}). */
    public boolean hasBytes() {
        return bytes != null;
    }
}
