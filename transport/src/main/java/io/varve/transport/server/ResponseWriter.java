package io.varve.transport.server;

import io.varve.transport.codec.ResponseParts;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A connection's encoded answers not yet written to its socket, in order, and the writing of them.
 * Buffer parts are written by the network thread with a gathering {@code write}; when a file region
 * (a record section of a Fetch answer) reaches the head, the whole queue is handed to the sendfile
 * executor, which writes it — {@code FileChannel.transferTo}, i.e. {@code sendfile(2)}, for file
 * regions, plain writes for the buffers between them — until it is empty or the socket is full, and
 * then hands it back. Disk reads (a page-cache miss under {@code sendfile}) so never stall the
 * network thread, and one hand-off covers every partition of an answer.
 *
 * <p>A file region carries an open, retained handle on its segment file (so a segment deleted since
 * the read still sends its bytes); it is released once the region is sent, or when the writer is
 * closed with it unsent. A file that now ends before the region does (the segment was truncated)
 * fails the transfer, which closes the connection: the response's size is already on the wire.
 *
 * <p>Confined to the connection's network thread, except that while {@link #isTransferring()} the
 * queue belongs to the transfer task alone; the hand-offs ({@code Executor.execute} and the network
 * thread's task queue) order the two.
 */
final class ResponseWriter {
    /** Buffers written per gathering {@code write} call. */
    private static final int MAX_GATHER = 64;

    private final SocketChannel channel;
    private final Executor sendfileExecutor;
    private final ArrayDeque<ResponseParts.Part> queue = new ArrayDeque<>();
    private final ByteBuffer[] gather = new ByteBuffer[MAX_GATHER];
    private boolean transferring;
    private boolean closed;

    /** What a transfer did: wrote everything, or stopped on a full socket, or failed. */
    record TransferResult(boolean socketFull, IOException failure) {}

    ResponseWriter(SocketChannel channel, Executor sendfileExecutor) {
        this.channel = channel;
        this.sendfileExecutor = sendfileExecutor;
    }

    void add(ResponseParts parts) {
        queue.addAll(parts.parts());
    }

    /** Something is not yet written (or a transfer is writing it). */
    boolean hasPending() {
        return transferring || !queue.isEmpty(); // the flag first: a transfer owns the queue
    }

    /** Buffers wait for the socket to drain; the network thread writes them when it is writable. */
    boolean awaitsWritable() {
        return !transferring && !queue.isEmpty();
    }

    boolean isTransferring() {
        return transferring;
    }

    /**
     * Writes buffer parts until the socket is full, the queue is empty, or a file region is next; in
     * the last case starts a transfer that reports to {@code onTransferDone} (from the sendfile
     * executor's thread: the callee must hand it to the network thread). Not while transferring.
     */
    void write(Consumer<TransferResult> onTransferDone) throws IOException {
        while (!queue.isEmpty()) {
            if (queue.peekFirst() instanceof ResponseParts.FileRegion) {
                startTransfer(onTransferDone);
                return;
            }
            if (!writeBuffers()) {
                return;
            }
        }
    }

    /** Back on the network thread after a transfer. */
    void onTransferDone() {
        transferring = false;
        if (closed) {
            releaseQueued();
        }
    }

    /**
     * The connection closed: unsent file regions give their files back now, or when the transfer
     * that owns the queue hands it back. Idempotent.
     */
    void close() {
        closed = true;
        if (!transferring) {
            releaseQueued();
        }
    }

    private void releaseQueued() {
        for (ResponseParts.Part part : queue) {
            if (part instanceof ResponseParts.FileRegion region) {
                region.file().release();
            }
        }
        queue.clear();
    }

    private void startTransfer(Consumer<TransferResult> onTransferDone) {
        transferring = true;
        sendfileExecutor.execute(() -> onTransferDone.accept(transfer()));
    }

    /** On the sendfile executor: everything queued, in order, until done or the socket is full. */
    private TransferResult transfer() {
        try {
            while (!queue.isEmpty()) {
                boolean done = queue.peekFirst() instanceof ResponseParts.FileRegion region
                        ? transferFile(region)
                        : writeBuffers();
                if (!done) {
                    return new TransferResult(true, null);
                }
            }
            return new TransferResult(false, null);
        } catch (IOException e) {
            return new TransferResult(false, e);
        }
    }

    /**
     * Sends the head file region; false if the socket filled first (the rest stays queued). A file
     * shorter than the region (truncated since the read) is an error, not a full socket: {@code
     * transferTo} past the end sends nothing, which would otherwise look the same.
     */
    private boolean transferFile(ResponseParts.FileRegion region) throws IOException {
        FileChannel file = region.file().channel();
        long position = region.position();
        long remaining = region.count();
        long size = file.size();
        if (position + remaining > size) {
            throw new EOFException("segment " + region.file().path() + " ends at " + size + ", before the " + remaining
                    + " bytes from position " + position + " still to send: truncated since the read");
        }
        while (remaining > 0) {
            long sent = file.transferTo(position, remaining, channel);
            if (sent == 0) {
                break;
            }
            position += sent;
            remaining -= sent;
        }
        queue.pollFirst();
        if (remaining > 0) {
            queue.addFirst(new ResponseParts.FileRegion(region.file(), position, remaining));
            return false;
        }
        region.file().release();
        return true;
    }

    /** Writes the buffer parts at the head; false if the socket filled first. */
    private boolean writeBuffers() throws IOException {
        int n = 0;
        for (ResponseParts.Part part : queue) {
            if (!(part instanceof ResponseParts.Bytes bytes) || n == MAX_GATHER) {
                break;
            }
            gather[n++] = bytes.buffer();
        }
        channel.write(gather, 0, n);
        for (int i = 0; i < n; i++) {
            if (gather[i].hasRemaining()) {
                clearGather(n);
                return false;
            }
            queue.pollFirst();
        }
        clearGather(n);
        return true;
    }

    private void clearGather(int n) {
        Arrays.fill(gather, 0, n, null);
    }
}
