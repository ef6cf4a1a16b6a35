package io.varve.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open, read-only channel on a segment's {@code .log} file, shared by its {@link LogSegment} and
 * every zero-copy {@link LogSlice} read from it, and reference counted:
 *
 * <pre>
 *   segment opens it ........ 1 (the owner's reference)
 *   a read retains it ....... +1 per slice (a {@link RetainedFile})
 *   the slice is sent ....... -1 (released by whoever sent or dropped it)
 *   segment closed/deleted .. -1 (the owner's)            the channel closes at 0
 * </pre>
 *
 * So a slice stays readable after its segment is renamed {@code .deleted} or removed from disk by
 * retention, or closed with its log: the open descriptor keeps the bytes until the last send. A
 * truncation (a follower truncating its log) does shorten what the descriptor sees; the sender
 * detects it ({@code size()} below the slice's end) and fails that transfer.
 *
 * <p>Thread-safe: retained by the partition's actor, released from any thread (network, sendfile).
 */
public final class SharedFile {
    private final Path path;
    private final FileChannel channel;
    private final AtomicInteger references = new AtomicInteger(1);

    private SharedFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /** Opens {@code path} for reading; the caller holds the first reference ({@link #release()}). */
    public static SharedFile open(Path path) throws IOException {
        return new SharedFile(path, FileChannel.open(path, StandardOpenOption.READ));
    }

    /** The file as it was named when opened (it may have been renamed or deleted since). */
    public Path path() {
        return path;
    }

    FileChannel channel() {
        return channel;
    }

    /** One more reference, for a slice; the file must still be held by its owner (or another reference). */
    public RetainedFile retain() {
        while (true) {
            int current = references.get();
            if (current <= 0) {
                throw new IllegalStateException(path + " is closed: no reference left to retain");
            }
            if (references.compareAndSet(current, current + 1)) {
                return new RetainedFile(this);
            }
        }
    }

    /** Gives back one reference; the last one closes the channel. */
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // a read-only descriptor: nothing was written that closing could lose
            }
        } else if (left < 0) {
            throw new IllegalStateException(path + " released more often than retained");
        }
    }

    /** Whether the channel is still open (some reference is held). */
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** References held now (the owner's and the slices'); for tests and diagnostics. */
    public int referenceCount() {
        return Math.max(0, references.get());
    }

    @Override
    public String toString() {
        return "SharedFile(" + path + ", references=" + referenceCount() + ")";
    }
}
