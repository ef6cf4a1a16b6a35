package io.varve.transport.server;

import io.varve.metadata.LocalOnly;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.meta.ApiVersionsHandler;
import io.varve.transport.codec.TcpWriteChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client socket (Kafka's SocketServer processor, for one connection). Reads in Pekko IO pull
 * mode, cuts frames ({@link FrameDecoder}), decodes them ({@link RequestDecoder}) and calls the
 * handler; many requests may be in flight (pipelining), but responses are written strictly in
 * request order ({@link ResponseQueue}), several at a time as one acked {@code Tcp.WriteCommand}.
 *
 * <p>Backpressure: the next read is requested only while fewer than {@link #MAX_IN_FLIGHT} requests
 * are unanswered and no write awaits its ack. Bad input (oversized or negative frame, unknown key,
 * unsupported version, malformed request) closes this connection only, with a log line. Handler
 * answers arrive as messages, so all state is confined to this actor (default dispatcher; nothing
 * here blocks, record sections are written by Pekko IO with sendfile).
 */
public final class Connection extends AbstractActor {
    private static final Logger log = LoggerFactory.getLogger(Connection.class);

    /** Requests read but not yet answered before reading pauses. */
    static final int MAX_IN_FLIGHT = 100;

    private final ActorRef tcp;
    private final InetSocketAddress remote;
    private final BrokerServices services;
    private final HandlerRegistry registry;
    private final TransportMetrics metrics;
    private final FrameDecoder frames;
    private final RequestDecoder decoder;
    private final ResponseQueue responses = new ResponseQueue();
    private boolean reading;
    private boolean writing;
    private boolean closing;

    private record HandlerDone(long slotId, ApiResponse response) implements LocalOnly {}

    private enum WriteAck implements Tcp.Event, LocalOnly {
        INSTANCE
    }

    public static Props props(
            ActorRef tcp,
            InetSocketAddress remote,
            BrokerServices services,
            HandlerRegistry registry,
            TransportMetrics metrics) {
        return Props.create(Connection.class, () -> new Connection(tcp, remote, services, registry, metrics));
    }

    private Connection(
            ActorRef tcp,
            InetSocketAddress remote,
            BrokerServices services,
            HandlerRegistry registry,
            TransportMetrics metrics) {
        this.tcp = tcp;
        this.remote = remote;
        this.services = services;
        this.registry = registry;
        this.metrics = metrics;
        this.frames = new FrameDecoder(services.settings().socketRequestMaxBytes());
        this.decoder = new RequestDecoder(registry);
    }

    @Override
    public void preStart() {
        tcp.tell(TcpMessage.register(getSelf()), getSelf());
        maybeResumeReading();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Received.class, this::onReceived)
                .match(HandlerDone.class, this::onHandlerDone)
                .match(WriteAck.class, this::onWriteAck)
                .match(Tcp.ConnectionClosed.class, this::onConnectionClosed)
                .match(Tcp.CommandFailed.class, this::onCommandFailed)
                .build();
    }

    private void onReceived(Tcp.Received received) {
        reading = false;
        if (closing) {
            return;
        }
        FrameDecoder.Frames decoded = frames.feed(received.data());
        for (ByteBuffer frame : decoded.frames()) {
            onFrame(frame);
            if (closing) {
                return;
            }
        }
        if (decoded.hasError()) {
            closeOnBadInput(decoded.error());
            return;
        }
        maybeWrite();
        maybeResumeReading();
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
        ActorRef self = getSelf();
        long slotId = slot.id;
        HandlerInvoker.invoke(parsed.handler(), context, parsed.request())
                .thenAccept(response -> self.tell(new HandlerDone(slotId, response), ActorRef.noSender()));
    }

    /** KIP-511: a too-new ApiVersions gets UNSUPPORTED_VERSION and our ranges, as a v0 response. */
    private void onUnsupportedApiVersions(RequestDecoder.UnsupportedApiVersions unsupported) {
        log.info(
                "ApiVersions v{} from {} is newer than supported; answering UNSUPPORTED_VERSION as v0",
                unsupported.version(),
                remote);
        ResponseQueue.Slot slot =
                responses.add(new ResponseHeader(unsupported.correlationId(), (short) 0), (short) 0, null, null);
        responses.complete(slot.id, new ApiResponse(ApiVersionsHandler.response(Errors.UNSUPPORTED_VERSION, registry)));
    }

    private void onHandlerDone(HandlerDone done) {
        responses.complete(done.slotId(), done.response());
        maybeWrite();
        maybeResumeReading();
    }

    private void onWriteAck(WriteAck ack) {
        writing = false;
        maybeWrite();
        maybeResumeReading();
    }

    private void onConnectionClosed(Tcp.ConnectionClosed closed) {
        log.debug("Connection from {} closed: {}", remote, closed);
        getContext().stop(getSelf());
    }

    private void onCommandFailed(Tcp.CommandFailed failed) {
        log.warn("Write to {} failed ({}); closing the connection", remote, failed.causedByString());
        closing = true;
        tcp.tell(TcpMessage.abort(), getSelf());
    }

    private void maybeResumeReading() {
        if (!reading && !closing && !writing && responses.size() < MAX_IN_FLIGHT) {
            reading = true;
            tcp.tell(TcpMessage.resumeReading(), getSelf());
        }
    }

    private void maybeWrite() {
        if (writing || closing) {
            return;
        }
        List<TcpWriteChannel> encoded = new ArrayList<>();
        for (ResponseQueue.Slot slot : responses.pollReady()) {
            if (slot.response.hasBody()) {
                TcpWriteChannel channel = encode(slot);
                metrics.onWrite(channel.bufferBytes(), channel.pathBytes());
                encoded.add(channel);
            }
        }
        if (encoded.isEmpty()) {
            return;
        }
        List<Tcp.WriteCommand> commands = new ArrayList<>(encoded.size());
        for (int i = 0; i < encoded.size(); i++) {
            Tcp.Event ack = i == encoded.size() - 1 ? WriteAck.INSTANCE : TcpMessage.noAck();
            commands.add(encoded.get(i).toWriteCommand(ack));
        }
        tcp.tell(Tcp.WriteCommand$.MODULE$.create(commands), getSelf());
        writing = true;
    }

    private TcpWriteChannel encode(ResponseQueue.Slot slot) {
        try {
            return encode(slot.header, slot.response.body(), slot.version);
        } catch (IOException | RuntimeException e) {
            if (slot.request == null) {
                throw new IllegalStateException("cannot encode the ApiVersions fallback", e);
            }
            ApiResponse fallback = HandlerInvoker.unexpected(slot.context, slot.request, e);
            try {
                return encode(slot.header, fallback.body(), slot.version);
            } catch (IOException io) {
                throw new IllegalStateException("cannot encode the error response", io);
            }
        }
    }

    private static TcpWriteChannel encode(ResponseHeader header, ApiMessage body, short version) throws IOException {
        Send send = SendBuilder.buildResponseSend(header, body, version);
        TcpWriteChannel channel = new TcpWriteChannel();
        channel.drain(send);
        return channel;
    }

    private void closeOnBadInput(String reason) {
        log.warn("Closing connection from {}: {}", remote, reason);
        metrics.onClosedOnBadInput();
        closing = true;
        tcp.tell(TcpMessage.close(), getSelf());
    }
}
