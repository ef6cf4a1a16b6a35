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
 * Each frame gets a freshly allocated buffer (Produce records stay views into it, so it is never
 * reused). A negative size or one above {@code maxFrameBytes} ({@code socket.request.max.bytes}) is
 * an error: the connection must close, as Kafka does. Not thread-safe: owned by one connection, on its network thread.
 */
final class FrameDecoder {
    private final int maxFrameBytes;
    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
    private ByteBuffer frame;
    private String error;

    /** Complete frames (positioned at the request header) and, if the stream broke, why. */
    record Frames(List<ByteBuffer> frames, String error) {
        boolean hasError() {
            return error != null;
        }
    }

    FrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Consumes all of {@code in} (copying what it needs: {@code in} may be reused afterwards). */
    Frames feed(ByteBuffer in) {
        List<ByteBuffer> frames = new ArrayList<>(1);
        if (error != null) {
            return new Frames(frames, error);
        }
        while (in.hasRemaining() && error == null) {
            if (frame == null) {
                readSize(in, frames);
            } else {
                copyInto(in, frames);
            }
        }
        return new Frames(frames, error);
    }

    private void readSize(ByteBuffer in, List<ByteBuffer> frames) {
        while (sizeBuffer.hasRemaining() && in.hasRemaining()) {
            sizeBuffer.put(in.get());
        }
        if (sizeBuffer.hasRemaining()) {
            return;
        }
        int size = sizeBuffer.flip().getInt();
        sizeBuffer.clear();
        if (size < 0) {
            error = "invalid frame size " + size + " (negative)";
        } else if (size > maxFrameBytes) {
            error = "frame size " + size + " larger than socket.request.max.bytes " + maxFrameBytes;
        } else {
            frame = ByteBuffer.allocate(size);
            maybeComplete(frames);
        }
    }

    private void copyInto(ByteBuffer in, List<ByteBuffer> frames) {
        int n = Math.min(in.remaining(), frame.remaining());
        ByteBuffer part = in.slice();
        part.limit(n);
        frame.put(part);
        in.position(in.position() + n);
        maybeComplete(frames);
    }

    private void maybeComplete(List<ByteBuffer> frames) {
        if (!frame.hasRemaining()) {
            frames.add(frame.flip());
            frame = null;
        }
    }
}
