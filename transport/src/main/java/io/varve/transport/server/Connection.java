package io.varve.transport.server;

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
 * <p>Backpressure: the socket is read only while fewer than {@link #MAX_IN_FLIGHT} requests are
 * unanswered and every answer so far has been taken by the socket. Bad input (oversized or negative
 * frame, unknown key, unsupported version, malformed request) closes this connection only, with a
 * log line; so does an I/O error on its socket.
 */
final class Connection {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    /** Requests read but not yet answered before reading pauses. */
    static final int MAX_IN_FLIGHT = 100;

    /** Reads per readiness event, so one busy client cannot starve the others on its thread. */
    private static final int MAX_READS_PER_EVENT = 16;

    private final SocketChannel channel;
    private final SelectionKey key;
    private final NetworkThread network;
    private final InetSocketAddress remote;
    private final BrokerServices services;
    private final HandlerRegistry registry;
    private final TransportMetrics metrics;
    private final FrameDecoder frames;
    private final RequestDecoder decoder;
    private final ResponseQueue responses = new ResponseQueue();
    private final ResponseWriter writer;
    private boolean closed;

    /** Set and cleared by the network thread: this connection has answers to flush. */
    boolean dirty;

    Connection(
            SocketChannel channel,
            SelectionKey key,
            NetworkThread network,
            BrokerServices services,
            HandlerRegistry registry,
            TransportMetrics metrics,
            Executor sendfileExecutor)
            throws IOException {
        this.channel = channel;
        this.key = key;
        this.network = network;
        this.remote = (InetSocketAddress) channel.getRemoteAddress();
        this.services = services;
        this.registry = registry;
        this.metrics = metrics;
        this.frames = new FrameDecoder(services.settings().socketRequestMaxBytes());
        this.decoder = new RequestDecoder(registry);
        this.writer = new ResponseWriter(channel, sendfileExecutor);
    }

    /** Starts reading; called once by the network thread after registering the socket. */
    void start() {
        updateInterest();
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
        } catch (RuntimeException e) {
            log.warn("Closing connection from {} after an unexpected failure", remote, e);
            close(e.toString());
        }
    }

    private void onReadable(ByteBuffer buffer) throws IOException {
        for (int reads = 0; reads < MAX_READS_PER_EVENT && canRead(); reads++) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                close("closed by the client");
                return;
            }
            if (n == 0) {
                break;
            }
            buffer.flip();
            FrameDecoder.Frames decoded = frames.feed(buffer);
            for (ByteBuffer frame : decoded.frames()) {
                onFrame(frame);
                if (closed) {
                    return;
                }
            }
            if (decoded.hasError()) {
                closeOnBadInput(decoded.error());
                return;
            }
            if (n < buffer.capacity()) {
                break;
            }
        }
        updateInterest();
    }

    private void onFrame(ByteBuffer frame) {
        metrics.onRequest();
        RequestDecoder.Decoded decoded = decoder.decode(frame);
        if (decoded instanceof RequestDecoder.Parsed parsed) {
            onRequest(parsed);
        } else if (decoded instanceof RequestDecoder.UnsupportedApiVersions unsupported) {
            onUnsupportedApiVersions(unsupported);
        } else if (decoded instanceof RequestDecoder.Invalid invalid) {
            closeOnBadInput(invalid.reason());
        }
    }

    private void onRequest(RequestDecoder.Parsed parsed) {
        RequestContext context = new RequestContext(parsed.header(), remote, services);
        ResponseQueue.Slot slot = responses.add(
                parsed.header().toResponseHeader(), parsed.header().apiVersion(), parsed.request(), context);
        long slotId = slot.id;
        HandlerInvoker.invoke(parsed.handler(), context, parsed.request())
                .thenAccept(response -> network.execute(() -> onResponse(slotId, response)));
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

    /** A handler's answer, on the network thread; written when every earlier answer is. */
    private void onResponse(long slotId, ApiResponse response) {
        if (!closed) {
            responses.complete(slotId, response);
            network.markDirty(this);
        } else if (response.hasBody()) {
            LogSliceRecords.release(response.body()); // dropped: its segment files are not sent
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
            writer.write(result -> network.execute(() -> onTransferDone(result)));
            updateInterest();
        } catch (IOException e) {
            close(e.toString());
        }
    }

    private void onTransferDone(ResponseWriter.TransferResult result) {
        writer.onTransferDone();
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

    private boolean canRead() {
        return !closed && responses.size() < MAX_IN_FLIGHT && !writer.hasPending();
    }

    private void updateInterest() {
        if (closed || !key.isValid()) {
            return;
        }
        int ops = (canRead() ? SelectionKey.OP_READ : 0) | (writer.awaitsWritable() ? SelectionKey.OP_WRITE : 0);
        if (key.interestOps() != ops) {
            key.interestOps(ops);
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

    /** Closes the socket; answers still to come are dropped. Idempotent. */
    void close(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        log.debug("Connection from {} closed: {}", remote, reason);
        writer.close();
        for (ApiResponse unsent : responses.drainAnswered()) {
            if (unsent.hasBody()) {
                LogSliceRecords.release(unsent.body());
            }
        }
        key.cancel();
        NetworkThread.closeQuietly(channel);
        network.onClosed(this);
    }
}
