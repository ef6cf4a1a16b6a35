package io.varve.transport.server;

import io.varve.transport.ConnectionLimits;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.meta.ApiVersionsHandler;
import io.varve.transport.codec.LogSliceRecords;
import io.varve.transport.codec.ResponseParts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.ResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket (Kafka's network processor, for one connection), confined to the {@link
 * NetworkThread} that adopted it. Reads frames ({@link FrameDecoder}), decodes them ({@link
 * RequestDecoder}) and calls the handler; many requests may be in flight (pipelining), but answers
 * are written strictly in request order ({@link ResponseQueue}) by its {@link ResponseWriter}.
 * Handlers answer from other threads; {@link #onResponse} is always run on the network thread.
 *
 * <p>Memory is bounded by configuration, not by the client ({@link ConnectionLimits}). Before each
 * request (never per read) the connection stops reading while {@code max-in-flight-requests} of its
 * requests are unanswered or unwritten, or {@code max-queued-response-bytes} of answers wait for its
 * socket; it reads again when they drain. Frame buffers take their bytes from the node's {@link
 * RequestMemoryPool} as they arrive and return them when the request is answered; while the pool is
 * spent the connection waits, unless it holds nothing (then one read's worth is always granted) or
 * it is the one connection allowed past the budget to finish its frame.
 *
 * <p>Bad input (oversized or negative frame, unknown key, unsupported version, malformed request)
 * closes this connection only, with a log line; so does an I/O error on its socket, and so does any
 * other throwable while serving it: the network thread carries on with its other connections.
 */
final class Connection implements FrameDecoder.Memory {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    /** Reads per readiness event, so one busy client cannot starve the others on its thread. */
    private static final int MAX_READS_PER_EVENT = 16;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final NetworkThread network;
    private final InetSocketAddress remote;
    private final BrokerServices services;
    private final HandlerRegistry registry;
    private final TransportMetrics metrics;
    private final ConnectionLimits limits;
    private final RequestMemoryPool pool;
    private final FrameDecoder frames;
    private final RequestDecoder decoder;
    private final ResponseQueue responses = new ResponseQueue();
    private final ResponseWriter writer;
    private boolean closed;
    /** Pool bytes held: the frame being read and the requests not yet answered. */
    private long heldBytes;
    /** Parked until the pool has room again ({@link #onMemoryReleased}). */
    private boolean waitingForMemory;
    /** Nanos of the last byte read or written, for {@code connections-max-idle}. */
    private long lastActivityNanos = System.nanoTime();

    /** Set and cleared by the network thread: this connection has answers to flush. */
    boolean dirty;

    Connection(
            SocketChannel channel,
            SelectionKey key,
            NetworkThread network,
            BrokerServices services,
            HandlerRegistry registry,
            TransportMetrics metrics,
            RequestMemoryPool pool,
            Executor sendfileExecutor)
            throws IOException {
        this.channel = channel;
        this.key = key;
        this.network = network;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.services = services;
        this.registry = registry;
        this.metrics = metrics;
        this.limits = services.settings().connectionLimits();
        this.pool = pool;
        this.frames = new FrameDecoder(services.settings().socketRequestMaxBytes(), this);
        this.decoder = new RequestDecoder(registry);
        this.writer = new ResponseWriter(channel, sendfileExecutor);
    }

    /** Starts reading; called once by the network thread after registering the socket. */
    void start() {
        updateInterest();
    }

    InetSocketAddress remote() {
        return remote;
    }

    void onSelected(SelectionKey selected, ByteBuffer readBuffer) {
        try {
            if (selected.isReadable()) {
                onReadable(readBuffer);
            }
            if (!closed && selected.isValid() && selected.isWritable()) {
                flush();
            }
        } catch (CancelledKeyException e) {
            close("its key was cancelled");
        } catch (IOException e) {
            close(e.toString());
        }
    }

    private void onReadable(ByteBuffer buffer) throws IOException {
        for (int reads = 0; reads < MAX_READS_PER_EVENT && !closed; reads++) {
            if (frames.isBetweenFrames() && !mayAdmitRequest()) {
                break; // backpressure, decided before each request
            }
            if (frames.needsMemory() && !mayTakeMemory()) {
                startWaitingForMemory();
                break;
            }
            int limit = frames.readLimit();
            buffer.clear().limit(limit);
            int n = channel.read(buffer);
            if (n < 0) {
                close("closed by the client");
                return;
            }
            if (n == 0) {
                break;
            }
            lastActivityNanos = System.nanoTime();
            FrameDecoder.Frames decoded = frames.feed(buffer.flip());
            for (FrameDecoder.Frame frame : decoded.frames()) {
                pool.onFrameRead(this);
                onFrame(frame);
                if (closed) {
                    return;
                }
            }
            if (decoded.hasError()) {
                closeOnBadInput(decoded.error());
                return;
            }
            if (n < limit) {
                break;
            }
        }
        updateInterest();
    }

    /** Per connection: fewer than the limit of requests in flight and of answer bytes queued. */
    private boolean mayAdmitRequest() {
        return !closed
                && responses.size() < limits.maxInFlightRequests()
                && writer.pendingBytes() < limits.maxQueuedResponseBytes();
    }

    /** The pool has room, or this connection holds none of it, or it may pass the budget to finish a frame. */
    private boolean mayTakeMemory() {
        return !pool.isExhausted() || heldBytes == 0 || pool.tryPassBudget(this);
    }

    private void onFrame(FrameDecoder.Frame frame) {
        metrics.onRequest();
        RequestDecoder.Decoded decoded = decoder.decode(frame.buffer());
        if (decoded instanceof RequestDecoder.Parsed parsed) {
            onRequest(parsed, frame.reservedBytes());
            return;
        }
        release(frame.reservedBytes()); // nothing keeps the frame's buffer
        if (decoded instanceof RequestDecoder.UnsupportedApiVersions unsupported) {
            onUnsupportedApiVersions(unsupported);
        } else if (decoded instanceof RequestDecoder.Invalid invalid) {
            closeOnBadInput(invalid.reason());
        }
    }

    private void onRequest(RequestDecoder.Parsed parsed, int reservedBytes) {
        RequestContext context = new RequestContext(parsed.header(), remote, services);
        ResponseQueue.Slot slot = responses.add(
                parsed.header().toResponseHeader(), parsed.header().apiVersion(), parsed.request(), context);
        slot.reservedBytes = reservedBytes;
        long slotId = slot.id;
        HandlerInvoker.invoke(parsed.handler(), context, parsed.request())
                .thenAccept(response -> network.executeFor(this, () -> onResponse(slotId, response)));
    }

    /** KIP-511: a too-new ApiVersions gets UNSUPPORTED_VERSION and our ranges, as a v0 response. */
    private void onUnsupportedApiVersions(RequestDecoder.UnsupportedApiVersions unsupported) {
        log.info(
                "ApiVersions v{} from {} is newer than supported; answering UNSUPPORTED_VERSION as v0",
                unsupported.version(),
                remote);
        ResponseQueue.Slot slot =
                responses.add(new ResponseHeader(unsupported.correlationId(), (short) 0), (short) 0, null, null);
        onResponse(slot.id, new ApiResponse(ApiVersionsHandler.response(Errors.UNSUPPORTED_VERSION, registry)));
    }

    /**
     * A handler's answer, on the network thread; written when every earlier answer is. The request's
     * memory goes back to the pool now, even when the connection has closed meanwhile.
     */
    private void onResponse(long slotId, ApiResponse response) {
        ResponseQueue.Slot slot = responses.complete(slotId, response);
        if (slot != null) {
            release(slot.reservedBytes);
            slot.reservedBytes = 0;
        }
        if (!closed) {
            network.markDirty(this);
        } else if (slot != null) {
            releaseDropped();
        } else if (response.hasBody()) {
            LogSliceRecords.release(response.body()); // dropped: its segment files are not sent
        }
    }

    /** The connection closed: answers already given are dropped, and their segment files released. */
    private void releaseDropped() {
        for (ApiResponse unsent : responses.drainAnswered()) {
            if (unsent.hasBody()) {
                LogSliceRecords.release(unsent.body());
            }
        }
    }

    /** Encodes the answers now at the head of the queue and writes what the socket takes. */
    void flush() {
        if (closed || writer.isTransferring()) {
            return; // a transfer owns the writer; it flushes again when it hands it back
        }
        try {
            for (ResponseQueue.Slot slot : responses.pollReady()) {
                if (slot.response.hasBody()) {
                    ResponseParts parts = encode(slot);
                    metrics.onWrite(parts.bufferBytes(), parts.fileBytes());
                    writer.add(parts);
                }
            }
            long before = writer.pendingBytes();
            writer.write(result -> network.executeFor(this, () -> onTransferDone(result)));
            if (writer.pendingBytes() != before) {
                lastActivityNanos = System.nanoTime();
            }
            updateInterest();
        } catch (IOException e) {
            close(e.toString());
        }
    }

    private void onTransferDone(ResponseWriter.TransferResult result) {
        writer.onTransferDone();
        lastActivityNanos = System.nanoTime();
        if (closed) {
            return;
        }
        if (result.failure() != null) {
            log.warn(
                    "Sending records to {} failed ({}); closing the connection",
                    remote,
                    result.failure().toString());
            close(result.failure().toString());
            return;
        }
        if (result.socketFull()) {
            updateInterest(); // wait for the socket to drain
        } else {
            flush();
        }
    }

    private void updateInterest() {
        if (closed || !key.isValid()) {
            return;
        }
        boolean read = !waitingForMemory && (!frames.isBetweenFrames() || mayAdmitRequest());
        int ops = (read ? SelectionKey.OP_READ : 0) | (writer.awaitsWritable() ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
        }
    }

    private void startWaitingForMemory() {
        if (!waitingForMemory) {
            waitingForMemory = true;
            pool.awaitRelease();
            network.onWaitingForMemory(this);
        }
    }

    /** On the network thread, after the pool released memory: try reading again. */
    void onMemoryReleased() {
        if (waitingForMemory) {
            waitingForMemory = false;
            pool.stopWaiting();
            updateInterest();
        }
    }

    /**
     * The loop that owns this connection has ended: answers still to come will never be run here,
     * so the memory of every unanswered request is released now, exactly once.
     */
    void releaseUnanswered() {
        for (ResponseQueue.Slot slot : responses.slots()) {
            release(slot.reservedBytes);
            slot.reservedBytes = 0;
        }
    }

    /** Nanos since the last byte read or written. */
    long idleNanos(long nowNanos) {
        return nowNanos - lastActivityNanos;
    }

    /** Whether handlers still owe this connection answers (it is not idle then, however quiet). */
    boolean hasRequestsInFlight() {
        return responses.size() > 0 || writer.hasPending();
    }

    @Override
    public boolean tryReserve(int bytes) {
        if (pool.tryReserve(bytes)) {
            heldBytes += bytes;
            return true;
        }
        return false;
    }

    @Override
    public void overdraw(int bytes) {
        pool.overdraw(bytes);
        heldBytes += bytes;
    }

    private void release(long bytes) {
        if (bytes > 0) {
            heldBytes -= bytes;
            pool.release(bytes);
        }
    }

    private ResponseParts encode(ResponseQueue.Slot slot) throws IOException {
        try {
            return encode(slot.header, slot.response.body(), slot.version);
        } catch (RuntimeException e) {
            LogSliceRecords.release(slot.response.body());
            if (slot.request == null) {
                throw new IllegalStateException("cannot encode the ApiVersions fallback", e);
            }
            ApiResponse fallback = HandlerInvoker.unexpected(slot.context, slot.request, e);
            return encode(slot.header, fallback.body(), slot.version);
        }
    }

    private static ResponseParts encode(ResponseHeader header, ApiMessage body, short version) throws IOException {
        return ResponseParts.of(SendBuilder.buildResponseSend(header, body, version));
    }

    private void closeOnBadInput(String reason) {
        log.warn("Closing connection from {}: {}", remote, reason);
        metrics.onClosedOnBadInput();
        close(reason);
    }

    /**
     * Closes the socket; answers still to come are dropped (their requests' memory is released when
     * they arrive). The frame being read gives its memory back now. Idempotent.
     */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        log.debug("Connection from {} closed: {}", remote, reason);
        release(frames.reservedBytes());
        if (waitingForMemory) {
            waitingForMemory = false;
            pool.stopWaiting();
        }
        pool.onClosed(this);
        writer.close();
        releaseDropped();
        key.cancel();
        NetworkThread.closeQuietly(channel);
        network.onClosed(this);
    }
}
