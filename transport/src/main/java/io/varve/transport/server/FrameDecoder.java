package io.varve.transport.server;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a connection's byte stream into Kafka request frames, whatever the TCP chunking:
 *
 * <pre>
 *   +----------------+---------------------------+
 *   | size: int32 BE | request (header + body)   |   size bytes
 *   +----------------+---------------------------+
 * </pre>
 *
 * A frame's buffer grows with the bytes that actually arrived, never to the announced size up front:
 * a frame of at most {@link #CHUNK_BYTES} gets its whole buffer with its first byte, a larger one
 * starts at what arrived and doubles, capped at its size. So a client that announces 100 MiB and
 * stalls holds only what it sent. Every byte of buffer is taken from {@link Memory} first (the
 * node's request memory budget) and handed back with the frame ({@link Frame#reservedBytes}) or by
 * {@link #reservedBytes()} when the connection closes mid-frame.
 *
 * <p>Each frame gets its own buffer (Produce records stay views into it, so it is never reused). A
 * negative size or one above {@code maxFrameBytes} ({@code socket.request.max.bytes}) is an error:
 * the connection must close, as Kafka does. {@link #readLimit()} tells the connection how much to
 * read next so that a read never takes bytes past the next frame's size prefix: the connection
 * decides per request whether to admit the next one. Not thread-safe: owned by one connection, on
 * its network thread.
 */
final class FrameDecoder {
    /** Largest read into a frame at once; frames up to this size get their whole buffer at once. */
    static final int CHUNK_BYTES = 64 * 1024;

    private static final int SIZE_BYTES = Integer.BYTES;

    /** Where frame buffers get their bytes from; implemented by the connection over the node's budget. */
    interface Memory {
        /** Takes {@code bytes} if the budget has them. */
        boolean tryReserve(int bytes);

        /** Takes {@code bytes} regardless: they have already arrived. */
        void overdraw(int bytes);
    }

    /** A complete frame (positioned at the request header) and the budget bytes its buffer holds. */
    record Frame(ByteBuffer buffer, int reservedBytes) {}

    /** Complete frames and, if the stream broke, why. */
    record Frames(List<Frame> frames, String error) {
        boolean hasError() {
            return error != null;
        }
    }

    private final int maxFrameBytes;
    private final Memory memory;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(SIZE_BYTES);
    /** The announced size of the frame being read; -1 while its size prefix is read. */
    private int size = -1;
    /** The frame's bytes so far; null until its first byte arrives. */
    private ByteBuffer body;

    private int reserved;
    private String error;

    FrameDecoder(int maxFrameBytes, Memory memory) {
        this.maxFrameBytes = maxFrameBytes;
        this.memory = memory;
    }

    /** Before the first byte of a frame's body: the connection may pause here (between requests). */
    boolean isBetweenFrames() {
        return body == null;
    }

    /** The next read grows the frame's buffer, so it needs budget. */
    boolean needsMemory() {
        return size > 0 && (body == null || !body.hasRemaining());
    }

    /** Budget bytes held by the frame being read. */
    int reservedBytes() {
        return reserved;
    }

    /** How many bytes the next read may take: at most the rest of this frame and the next size prefix. */
    int readLimit() {
        if (size < 0) {
            return sizeBuffer.remaining();
        }
        int left = size - filled();
        return left >= CHUNK_BYTES ? CHUNK_BYTES : Math.min(CHUNK_BYTES, left + SIZE_BYTES);
    }

    /** Consumes all of {@code in} (copying what it needs: {@code in} may be reused afterwards). */
    Frames feed(ByteBuffer in) {
        List<Frame> frames = new ArrayList<>(1);
        while (in.hasRemaining() && error == null) {
            if (size < 0) {
                readSize(in, frames);
            } else {
                copyInto(in, frames);
            }
        }
        return new Frames(frames, error);
    }

    private void readSize(ByteBuffer in, List<Frame> frames) {
        while (sizeBuffer.hasRemaining() && in.hasRemaining()) {
            sizeBuffer.put(in.get());
        }
        if (sizeBuffer.hasRemaining()) {
            return;
        }
        int announced = sizeBuffer.flip().getInt();
        sizeBuffer.clear();
        if (announced < 0) {
            error = "invalid frame size " + announced + " (negative)";
        } else if (announced > maxFrameBytes) {
            error = "frame size " + announced + " larger than socket.request.max.bytes " + maxFrameBytes;
        } else if (announced == 0) {
            frames.add(new Frame(ByteBuffer.allocate(0), 0));
        } else {
            size = announced;
        }
    }

    private void copyInto(ByteBuffer in, List<Frame> frames) {
        int n = Math.min(in.remaining(), size - filled());
        ensureRoom(n);
        ByteBuffer part = in.slice();
        part.limit(n);
        body.put(part);
        in.position(in.position() + n);
        if (filled() == size) {
            frames.add(new Frame(body.flip(), reserved));
            body = null;
            reserved = 0;
            size = -1;
        }
    }

    /** Grows the buffer so {@code incoming} more bytes fit: exact for small frames, doubling for large. */
    private void ensureRoom(int incoming) {
        int capacity = body == null ? 0 : body.capacity();
        int needed = filled() + incoming;
        if (needed <= capacity) {
            return;
        }
        int target = size <= CHUNK_BYTES ? size : (int) Math.min(size, Math.max(needed, 2L * capacity));
        if (!memory.tryReserve(target - capacity)) {
            target = needed;
            if (!memory.tryReserve(target - capacity)) {
                memory.overdraw(target - capacity);
            }
        }
        reserved += target - capacity;
        ByteBuffer grown = ByteBuffer.allocate(target);
        if (body != null) {
            grown.put(body.flip());
        }
        body = grown;
    }

    private int filled() {
        return body == null ? 0 : body.position();
    }
}
