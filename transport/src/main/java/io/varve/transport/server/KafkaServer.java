package io.varve.transport.server;

import io.varve.metadata.LocalOnly;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.HandlerRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Status;
import org.apache.pekko.actor.SupervisorStrategy;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listener (Kafka's SocketServer acceptor): binds {@code varve.transport.host/port} with
 * Pekko IO TCP in pull mode, accepts one connection at a time and spawns a {@link Connection} child
 * per socket. A classic actor because Pekko IO is classic; the node spawns it with {@code
 * Adapter.actorOf}. Ask {@link GetBoundAddress} for the bound address (port 0 binds any free port):
 * the answer is a {@link BoundAddress} once bound, or a {@code Status.Failure} if binding failed.
 * Stopping this actor unbinds the listener and closes every connection. A failing connection actor
 * is stopped (its socket closes), never restarted, and never disturbs the others.
 */
public final class KafkaServer extends AbstractActor {
    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    /** Pending-connection queue of the listening socket. */
    private static final int BACKLOG = 100;

    private final BrokerServices services;
    private final HandlerRegistry registry;
    private final TransportMetrics metrics;
    private final List<ActorRef> waitingForAddress = new ArrayList<>();
    private ActorRef listener;
    private InetSocketAddress boundAddress;
    private long connections;

    /** Asks for the bound address; answered with {@link BoundAddress} or {@code Status.Failure}. */
    public enum GetBoundAddress implements LocalOnly {
        INSTANCE
    }

    public record BoundAddress(InetSocketAddress address) implements LocalOnly {}

    public static Props props(BrokerServices services, HandlerRegistry registry) {
        return props(services, registry, new TransportMetrics());
    }

    public static Props props(BrokerServices services, HandlerRegistry registry, TransportMetrics metrics) {
        return Props.create(KafkaServer.class, () -> new KafkaServer(services, registry, metrics));
    }

    private KafkaServer(BrokerServices services, HandlerRegistry registry, TransportMetrics metrics) {
        this.services = services;
        this.registry = registry;
        this.metrics = metrics;
    }

    @Override
    public SupervisorStrategy supervisorStrategy() {
        return SupervisorStrategy.stoppingStrategy();
    }

    @Override
    public void preStart() {
        TransportSettings settings = services.settings();
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        ActorRef manager = Tcp.get(getContext().getSystem()).manager();
        manager.tell(TcpMessage.bind(getSelf(), address, BACKLOG, List.of(), true), getSelf());
    }

    @Override
    public void postStop() {
        if (listener != null) {
            listener.tell(TcpMessage.unbind(), getSelf());
        }
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(Tcp.Bound.class, this::onBound)
                .match(Tcp.CommandFailed.class, this::onBindFailed)
                .match(Tcp.Connected.class, this::onConnected)
                .match(GetBoundAddress.class, this::onGetBoundAddress)
                .build();
    }

    private void onBound(Tcp.Bound bound) {
        listener = getSender();
        boundAddress = bound.localAddress();
        log.info("Kafka listener bound to {}", boundAddress);
        waitingForAddress.forEach(waiter -> waiter.tell(new BoundAddress(boundAddress), getSelf()));
        waitingForAddress.clear();
        listener.tell(TcpMessage.resumeAccepting(1), getSelf());
    }

    private void onBindFailed(Tcp.CommandFailed failed) {
        String reason = "cannot bind the Kafka listener to "
                + services.settings().host() + ":" + services.settings().port() + ": " + failed.causedByString();
        log.error(reason);
        waitingForAddress.forEach(
                waiter -> waiter.tell(new Status.Failure(new IllegalStateException(reason)), getSelf()));
        waitingForAddress.clear();
        getContext().stop(getSelf());
    }

    private void onConnected(Tcp.Connected connected) {
        metrics.onConnectionAccepted();
        getContext()
                .actorOf(
                        Connection.props(getSender(), connected.remoteAddress(), services, registry, metrics),
                        "connection-" + connections++);
        listener.tell(TcpMessage.resumeAccepting(1), getSelf());
    }

    private void onGetBoundAddress(GetBoundAddress request) {
        if (boundAddress != null) {
            getSender().tell(new BoundAddress(boundAddress), getSelf());
        } else {
            waitingForAddress.add(getSender());
        }
    }
}
