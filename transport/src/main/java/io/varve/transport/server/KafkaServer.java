package io.varve.transport.server;

import io.varve.metadata.LocalOnly;
import io.varve.transport.ConnectionLimits;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.HandlerRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka listener (Kafka's SocketServer): binds {@code varve.transport.host/port} and runs {@code
 * varve.transport.network-threads} {@link NetworkThread}s; the first accepts every connection and
 * hands them out round-robin. The actor is the listener's lifecycle in the node's supervision tree:
 * it binds when it starts, and stopping it unbinds the port and closes every connection. The node
 * spawns it with {@code Adapter.actorOf} (a classic actor, as the listener always was). Ask {@link
 * GetBoundAddress} for the bound address (port 0 binds any free port): the answer is a {@link
 * BoundAddress}, or a {@code Status.Failure} if binding failed.
 *
 * <p>As Kafka's broker, which enables request processing only at the end of its start-up, the listener
 * binds at once (the node registers under the bound address) but accepts connections only once the
 * {@code serving} stage given to {@link #props(BrokerServices, HandlerRegistry, TransportMetrics,
 * CompletionStage)} completes: the node's, once the controller lists it. Until then the kernel queues
 * connections and their requests wait, where answering would describe a cluster without this broker.
 *
 * <p>Record sections of Fetch answers are sent with {@code sendfile} on {@code
 * varve.sendfile-dispatcher}, never on a network thread ({@link ResponseWriter}). All connections
 * share one {@link RequestMemoryPool} ({@code queued-max-request-bytes}).
 *
 * <p>A network thread whose loop cannot go on (its selector failed) has closed its connections and
 * reports here; the actor starts a replacement in its place, which also takes over accepting if the
 * failed thread accepted. If no replacement can be started, or loops keep failing ({@value
 * #MAX_REPLACEMENTS} replacements within {@link #REPLACEMENT_WINDOW}), the node is stopped with an
 * ERROR line saying why: it never keeps a listener that silently hangs its connections.
 */
public final class KafkaServer extends AbstractActor {
    private static final Logger log = LoggerFactory.getLogger(KafkaServer.class);

    /** Pending-connection queue of the listening socket. */
    private static final int BACKLOG = 100;

    static final String SENDFILE_DISPATCHER = "varve.sendfile-dispatcher";

    static final int MAX_REPLACEMENTS = 5;
    static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(1);

    private final BrokerServices services;
    private final HandlerRegistry registry;
    private final TransportMetrics metrics;
    private final CompletionStage<?> serving;
    private ServerSocketChannel server;
    /** Replaced as a whole when a loop is replaced; read by the accepting thread ({@link #assign}). */
    private volatile NetworkThread[] threads = new NetworkThread[0];

    private RequestMemoryPool pool;
    private final ArrayDeque<Long> replacementTimesNanos = new ArrayDeque<>();
    private NetworkThread.ConnectionFactory connections;
    private InetSocketAddress boundAddress;
    private String bindFailure;
    /** Set once {@code serving} completed: the first network thread accepts connections. */
    private boolean accepting;
    /** Touched only by the first network thread, which accepts ({@link #assign}). */
    private int nextThread;

    /** Asks for the bound address; answered with {@link BoundAddress} or {@code Status.Failure}. */
    public enum GetBoundAddress implements LocalOnly {
        INSTANCE
    }

    public record BoundAddress(InetSocketAddress address) implements LocalOnly {}

    /** The {@code serving} stage completed: accept connections from now on. */
    private enum StartAccepting implements LocalOnly {
        INSTANCE
    }

    /** A network thread's loop failed (sent by that thread as it ends). */
    private record LoopFailed(NetworkThread thread, Throwable cause) implements LocalOnly {}

    /** Tests only: makes network thread {@code index} fail as a broken selector would. */
    record BreakNetworkThread(int index) implements LocalOnly {}

    public static Props props(BrokerServices services, HandlerRegistry registry) {
        return props(services, registry, new TransportMetrics());
    }

    /** A listener that accepts connections as soon as it is bound. */
    public static Props props(BrokerServices services, HandlerRegistry registry, TransportMetrics metrics) {
        return props(services, registry, metrics, CompletableFuture.completedFuture(null));
    }

    /** A listener that binds at once and accepts connections once {@code serving} completes normally. */
    public static Props props(
            BrokerServices services, HandlerRegistry registry, TransportMetrics metrics, CompletionStage<?> serving) {
        return Props.create(KafkaServer.class, () -> new KafkaServer(services, registry, metrics, serving));
    }

    private KafkaServer(
            BrokerServices services, HandlerRegistry registry, TransportMetrics metrics, CompletionStage<?> serving) {
        this.services = services;
        this.registry = registry;
        this.metrics = metrics;
        this.serving = serving;
    }

    @Override
    public void preStart() {
        TransportSettings settings = services.settings();
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        try {
            // a non-blocking bind is one system call: fine on the actor's thread
            server = ServerSocketChannel.open();
            server.configureBlocking(false);
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, BACKLOG);
            boundAddress = (InetSocketAddress) server.getLocalAddress();
            Executor sendfile = getContext().getSystem().dispatchers().lookup(SENDFILE_DISPATCHER);
            pool = new RequestMemoryPool(settings.connectionLimits().queuedMaxRequestBytes());
            metrics.watch(pool);
            connections = (channel, key, network) ->
                    new Connection(channel, key, network, services, registry, metrics, pool, sendfile);
            startThreads(settings.networkThreads());
        } catch (IOException | RuntimeException e) {
            bindFailure = "cannot bind the Kafka listener to " + settings.host() + ":" + settings.port() + ": " + e;
            log.error(bindFailure);
            stopListening();
            return;
        }
        log.info(
                "Kafka listener bound to {} ({} network thread(s), request memory budget {} bytes)",
                boundAddress,
                threads.length,
                pool.capacity());
        ActorRef self = getSelf();
        serving.thenRun(() -> self.tell(StartAccepting.INSTANCE, ActorRef.noSender()));
    }

    private void onStartAccepting(StartAccepting start) {
        accepting = true;
        threads[0].listen(server, this::assign);
        log.debug("Kafka listener {} accepts connections", boundAddress);
    }

    private void startThreads(int count) throws IOException {
        NetworkThread[] started = new NetworkThread[count];
        for (int i = 0; i < count; i++) {
            started[i] = newThread("varve-network-" + i);
            started[i].start();
        }
        threads = started;
    }

    private NetworkThread newThread(String name) throws IOException {
        org.apache.pekko.actor.ActorRef self = getSelf();
        return new NetworkThread(
                name,
                pool,
                services.settings().connectionLimits().connectionsMaxIdle(),
                metrics,
                (thread, cause) ->
                        self.tell(new LoopFailed(thread, cause), org.apache.pekko.actor.ActorRef.noSender()));
    }

    private void onLoopFailed(LoopFailed failed) {
        NetworkThread[] current = threads;
        int index = List.of(current).indexOf(failed.thread());
        if (index < 0) {
            return; // stopping, or already replaced
        }
        long now = System.nanoTime();
        replacementTimesNanos.addLast(now);
        while (now - replacementTimesNanos.peekFirst() > REPLACEMENT_WINDOW.toNanos()) {
            replacementTimesNanos.pollFirst();
        }
        if (replacementTimesNanos.size() > MAX_REPLACEMENTS) {
            stopNode("network threads failed " + replacementTimesNanos.size() + " times within "
                    + REPLACEMENT_WINDOW.toSeconds() + " s (last: "
                    + failed.thread().name() + ", " + failed.cause()
                    + ")");
            return;
        }
        try {
            NetworkThread replacement = newThread(failed.thread().name());
            NetworkThread[] next = current.clone();
            next[index] = replacement;
            threads = next;
            replacement.start();
            if (index == 0 && accepting) {
                replacement.listen(server, this::assign);
            }
            metrics.onNetworkThreadReplaced();
            log.warn(
                    "Replaced the failed network thread {} ({}); its clients reconnect",
                    failed.thread().name(),
                    failed.cause().toString());
        } catch (IOException | RuntimeException e) {
            stopNode("cannot replace the failed network thread "
                    + failed.thread().name() + ": " + e);
        }
    }

    /** The listener cannot serve clients any more: stop the node rather than hang its connections. */
    private void stopNode(String reason) {
        log.error("The Kafka listener cannot go on ({}); stopping the node", reason);
        stopListening();
        CoordinatedShutdown.get(getContext().getSystem()).runAll(new ListenerFailed(reason));
    }

    /** CoordinatedShutdown's reason when the listener failed for good. */
    private record ListenerFailed(String reason) implements CoordinatedShutdown.Reason {}

    /** On the first network thread: configures an accepted socket and gives it to the next thread. */
    private void assign(SocketChannel channel) {
        try {
            // as Kafka: no Nagle delay on answers, keep-alive to notice vanished clients
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            ConnectionLimits limits = services.settings().connectionLimits();
            if (limits.socketSendBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_SNDBUF, limits.socketSendBufferBytes());
            }
            if (limits.socketReceiveBufferBytes() > 0) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, limits.socketReceiveBufferBytes());
            }
        } catch (IOException e) {
            log.debug("cannot set socket options on {}", channel, e);
        }
        metrics.onConnectionAccepted();
        NetworkThread[] current = threads;
        NetworkThread target = current[Math.floorMod(nextThread++, current.length)];
        target.adopt(channel, connections);
    }

    @Override
    public void postStop() {
        stopListening();
    }

    private void stopListening() {
        for (NetworkThread thread : threads) {
            if (thread != null) {
                thread.shutdown();
            }
        }
        if (server != null) {
            // the port is released once the first thread's selector drops the key (it was woken above)
            NetworkThread.closeQuietly(server);
        }
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder()
                .match(GetBoundAddress.class, this::onGetBoundAddress)
                .match(StartAccepting.class, this::onStartAccepting)
                .match(LoopFailed.class, this::onLoopFailed)
                .match(BreakNetworkThread.class, command -> threads[command.index()].breakForTest())
                .build();
    }

    private void onGetBoundAddress(GetBoundAddress request) {
        if (bindFailure != null) {
            getSender().tell(new Status.Failure(new IllegalStateException(bindFailure)), getSelf());
            getContext().stop(getSelf());
        } else {
            getSender().tell(new BoundAddress(boundAddress), getSelf());
        }
    }
}
