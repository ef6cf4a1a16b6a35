package io.varve.storage.log;

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
 */
public record LogSlice(Path file, int position, int length, long firstBatchOffset) {
    public boolean isEmpty() {
        return length == 0;
    }
}
