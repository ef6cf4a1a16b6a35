package io.varve.storage.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;

/**
 * The fsync of segments that were rolled and are no longer written, taken from {@link
 * PartitionLog#takeRollFlush()}. It may run on any storage-dispatcher thread, concurrently with
 * appends to the active segment; when it completes the owner calls {@link
 * PartitionLog#onFlushed(long)} with {@link #upToOffset()}. A segment deleted by retention in the
 * meantime has nothing left to flush.
 */
public final class SegmentFlush {
    private final List<LogSegment> segments;
    private final long upToOffset;

    SegmentFlush(List<LogSegment> segments, long upToOffset) {
        this.segments = segments;
        this.upToOffset = upToOffset;
    }

    /** Everything below this offset is on disk once {@link #run()} returns. */
    public long upToOffset() {
        return upToOffset;
    }

    public void run() throws IOException {
        for (LogSegment segment : segments) {
            try {
                segment.flush();
            } catch (ClosedChannelException | IllegalStateException deletedMeanwhile) {
                // retention removed the segment after the roll; its data no longer matters
            }
        }
    }
}
