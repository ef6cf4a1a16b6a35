package io.varve.storage.log;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reference to a {@link SharedFile}, held by a zero-copy {@link LogSlice} from the read until
 * its bytes are sent (or the answer is dropped). {@link #release()} gives the reference back and is
 * idempotent, so copies of a slice cannot release it twice. Thread-safe.
 */
public final class RetainedFile {
    private final SharedFile file;
    private final AtomicBoolean released = new AtomicBoolean();

    RetainedFile(SharedFile file) {
        this.file = file;
    }

    /** The open channel, for {@code transferTo}; valid until {@link #release()}. */
    public FileChannel channel() {
        return file.channel();
    }

    public Path path() {
        return file.path();
    }

    public boolean isReleased() {
        return released.get();
    }

    /** Gives the reference back (once; later calls do nothing). */
    public void release() {
        if (released.compareAndSet(false, true)) {
            file.release();
        }
    }

    @Override
    public String toString() {
        return "RetainedFile(" + file.path() + (isReleased() ? ", released" : "") + ")";
    }
}
