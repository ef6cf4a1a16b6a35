package io.varve.connectors.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads the byte range of a segment file that a partition actor answered a read with ({@code
 * LogSlice} without bytes: reads over 16 KiB stay in the file for zero-copy sends). Keeps the last
 * segment file open, since consecutive reads mostly hit the same one; a segment renamed for
 * deletion meanwhile still reads through the open channel.
 *
 * <p>Blocking: called only on the storage dispatcher, one read at a time per source stage.
 */
final class SegmentReader implements AutoCloseable {
    private Path path;
    private FileChannel channel;

    synchronized ByteBuffer read(Path file, int position, int length) throws IOException {
        if (!file.equals(path)) {
            close();
            channel = FileChannel.open(file, StandardOpenOption.READ);
            path = file;
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + (long) buffer.position());
            if (read < 0) {
                throw new EOFException("segment " + file + " ends before " + (position + length) + " bytes");
            }
        }
        return buffer.flip();
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            path = null;
        }
    }
}
