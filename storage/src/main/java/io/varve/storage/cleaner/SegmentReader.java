package io.varve.storage.cleaner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * Reads a snapshot segment in chunks into a reused direct buffer (one copy from the page cache, none
 * through a temporary buffer as a heap buffer would need), {@code log.cleaner.io.buffer.size} at a time.
 * A chunk may end inside a batch: callers consume whole batches and read again from where they stopped.
 * When a single batch is larger than the buffer, {@link #grow} doubles it up to the larger of the
 * topic's {@code max.message.bytes} and the configured maximum, or to the batch's size if larger still
 * (a compacted batch may exceed {@code max.message.bytes}), as Kafka's cleaner does.
 *
 * <p>Not thread-safe: one per cleaner thread.
 */
final class SegmentReader {
    private final int initialSize;
    private final int maxSize;
    private ByteBuffer buffer;

    SegmentReader(int initialSize, int maxSize) {
        this.initialSize = initialSize;
        this.maxSize = maxSize;
        this.buffer = ByteBuffer.allocateDirect(initialSize);
    }

    int capacity() {
        return buffer.capacity();
    }

    /** The bytes of {@code channel} from {@code position} up to {@code end}, at most a buffer full. */
    MemoryRecords read(FileChannel channel, long position, long end) throws IOException {
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), end - position));
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                break;
            }
            at += n;
        }
        buffer.flip();
        return MemoryRecords.readableRecords(buffer);
    }

    /**
     * Nothing whole could be read at {@code position}: grows the buffer to hold the next batch, or fails
     * when that batch is implausible (larger than the rest of the segment, or than any batch may be).
     */
    void grow(MemoryRecords records, long position, long end, int maxMessageBytes, String segment) {
        Integer next = records.firstBatchSize();
        if (next == null || next <= 0) {
            throw new CorruptRecordException("no readable batch at position " + position + " of " + segment);
        }
        if (next > end - position) {
            throw new CorruptRecordException("batch of " + next + " bytes at position " + position + " of " + segment
                    + " is larger than the " + (end - position) + " bytes left");
        }
        int limit = Math.max(maxMessageBytes, maxSize);
        int size = (int) Math.max(next, Math.min((long) buffer.capacity() * 2, limit));
        buffer = ByteBuffer.allocateDirect(size);
    }

    /** Back to the configured size after a large batch made the buffer grow. */
    void restore() {
        if (buffer.capacity() > initialSize) {
            buffer = ByteBuffer.allocateDirect(initialSize);
        }
    }
}
