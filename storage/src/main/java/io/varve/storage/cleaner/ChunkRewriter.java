package io.varve.storage.cleaner;

import io.varve.storage.log.CleanedSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecords.FilterResult;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * The rewrite pass's write side: filters the whole batches of one chunk read from a segment into a reused
 * direct write buffer and appends what stays to the cleaned segment in one write (one copy into the page
 * cache; a heap buffer would add one through a temporary direct buffer). A batch the filter can drop
 * unread ({@link CleanerRecordFilter#dropsUnread}) is passed over; each run of batches between such batches
 * goes through kafka-clients' {@code filterTo}, which copies a batch whose records all stay byte for byte
 * and rebuilds a filtered one.
 *
 * <p>Not thread-safe: one per {@link Cleaner}, on its cleaner thread.
 */
final class ChunkRewriter {
    private final int ioBufferBytes;
    private final BufferSupplier decompression;
    private final CleanerThrottler throttler;
    private ByteBuffer writeBuffer;

    ChunkRewriter(int ioBufferBytes, BufferSupplier decompression, CleanerThrottler throttler) {
        this.ioBufferBytes = ioBufferBytes;
        this.decompression = decompression;
        this.throttler = throttler;
        this.writeBuffer = ByteBuffer.allocateDirect(ioBufferBytes);
    }

    /**
     * Filters the whole batches of {@code records} into {@code cleaned}; returns the bytes of whole batches
     * consumed (0 when the chunk does not hold one whole batch: {@link #growTo} then).
     */
    int rewrite(
            MemoryRecords records,
            CleanedSegment cleaned,
            CleanerRecordFilter filter,
            CleanerStats stats,
            int maxMessageBytes)
            throws IOException, InterruptedException {
        writeBuffer.clear();
        ByteBuffer chunk = records.buffer();
        int runStart = 0;
        int at = 0;
        for (MutableRecordBatch batch : records.batches()) {
            int size = batch.sizeInBytes();
            if (filter.dropsUnread(batch)) {
                filterRun(chunk, runStart, at, cleaned, filter, stats, maxMessageBytes);
                filter.dropUnread(batch);
                Integer count = batch.countOrNull();
                stats.recordsRead += count == null ? 0 : count;
                stats.bytesRead += size;
                stats.batchesDroppedUnread++;
                runStart = at + size;
            }
            at += size;
        }
        filterRun(chunk, runStart, at, cleaned, filter, stats, maxMessageBytes);
        flush(cleaned);
        return at;
    }

    /** Filters the batches in {@code chunk[from, to)} into the write buffer. */
    private void filterRun(
            ByteBuffer chunk,
            int from,
            int to,
            CleanedSegment cleaned,
            CleanerRecordFilter filter,
            CleanerStats stats,
            int maxMessageBytes)
            throws IOException, InterruptedException {
        if (from == to) {
            return;
        }
        ByteBuffer run = chunk.duplicate();
        run.limit(to).position(from);
        FilterResult result = MemoryRecords.readableRecords(run.slice())
                .filterTo(filter, writeBuffer, decompression, maxMessageBytes);
        stats.recordsRead += result.messagesRead();
        stats.bytesRead += result.bytesRead();
        stats.recordsWritten += result.messagesRetained();
        stats.bytesWritten += result.bytesRetained();
        ByteBuffer output = result.outputBuffer();
        if (output != writeBuffer) { // filterTo outgrew the write buffer: its output holds all of it
            output.flip();
            append(cleaned, output);
            writeBuffer.clear();
        }
    }

    /** Appends what the write buffer holds to the cleaned segment. */
    private void flush(CleanedSegment cleaned) throws IOException, InterruptedException {
        if (writeBuffer.position() > 0) {
            writeBuffer.flip();
            append(cleaned, writeBuffer);
            writeBuffer.clear();
        }
    }

    private void append(CleanedSegment cleaned, ByteBuffer batches) throws IOException, InterruptedException {
        int bytes = batches.remaining();
        cleaned.append(MemoryRecords.readableRecords(batches));
        throttler.maybeThrottle(bytes);
    }

    /** A batch larger than the read buffer was met: the write buffer grows with it. */
    void growTo(int bytes) {
        if (writeBuffer.capacity() < bytes) {
            writeBuffer = ByteBuffer.allocateDirect(bytes);
        }
    }

    /** Back to the configured size after a large batch made the buffer grow. */
    void restore() {
        if (writeBuffer.capacity() > ioBufferBytes) {
            writeBuffer = ByteBuffer.allocateDirect(ioBufferBytes);
        }
    }
}
