package io.varve.transport.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop of the Kafka listener (Kafka's network processor): a thread and a {@link Selector}
 * over its share of the client sockets. It reads, frames and decodes requests, calls their handlers
 * (which only send messages to actors) and writes the answers; each {@link Connection} lives on the
 * thread that adopted it and is touched by no other, so connection state needs no locks — the
 * confinement an actor gives, without a mailbox hop per read and per write.
 *
 * <pre>
 *   loop:  select() ──► readable: read, frame, decode, handler ──► partition / coordinator actors
 *            ▲          writable: write what the socket takes             │ answer (another thread)
 *            └── wakeup ◄── execute(task): queued, run here ◄─────────────┘
 *          run queued tasks; flush connections that have answers to write; close idle connections
 * </pre>
 *
 * <p>Other threads talk to the loop only through {@link #execute}, which queues a task and wakes the
 * selector. The loop never blocks except in {@code select()}: record sections are transferred with
 * {@code sendfile} on the sendfile executor ({@link ResponseWriter}). The first thread also accepts
 * connections for all of them ({@link #listen}).
 *
 * <p>No silent death: any throwable while serving one connection (reading, a task for it, writing)
 * closes that connection with an ERROR line, and the loop goes on. If the loop itself cannot go on
 * (its selector fails), it closes every connection and reports to its owner ({@code onLoopFailed}),
 * which replaces it or stops the node ({@link KafkaServer}).
 */
final class NetworkThread implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(NetworkThread.class);

    /** Bytes read from a socket per {@code read} call; frames are copied out of it at once. */
    static final int READ_BUFFER_BYTES = FrameDecoder.CHUNK_BYTES;

    /** How often idle connections are looked for (the select timeout). */
    private static final long IDLE_CHECK_MS = 1_000;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final RequestMemoryPool pool;
    private final long connectionsMaxIdleNanos;
    private final BiConsumer<NetworkThread, Throwable> onLoopFailed;
    private final TransportMetrics metrics;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Connection> dirty = new ArrayDeque<>();
    private final List<Connection> connections = new ArrayList<>();
    private final Set<Connection> waitingForMemory = new LinkedHashSet<>();
    private final AtomicBoolean memoryWakeQueued = new AtomicBoolean();
    private final Runnable onMemoryReleased = this::onMemoryReleased;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private volatile boolean running = true;
    private long lastIdleCheckNanos = System.nanoTime();

    private record Acceptor(ServerSocketChannel server, Consumer<SocketChannel> onAccepted) {}

    /**
     * @param onLoopFailed called, on this thread, when the loop cannot go on; its connections are
     *     closed by then
     */
    NetworkThread(
            String name,
            RequestMemoryPool pool,
            Duration connectionsMaxIdle,
            TransportMetrics metrics,
            BiConsumer<NetworkThread, Throwable> onLoopFailed)
            throws IOException {
        this.metrics = metrics;
        this.name = name;
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        this.pool = pool;
        this.connectionsMaxIdleNanos = connectionsMaxIdle.toNanos();
        this.onLoopFailed = onLoopFailed;
        // the node's lifecycle stops the listener; a forgotten loop must not keep the JVM alive
        this.thread.setDaemon(true);
    }

    void start() {
        pool.addReleaseListener(onMemoryReleased);
        thread.start();
    }

    String name() {
        return name;
    }

    /** Runs {@code task} on this loop: at once when called from it, else queued with a wakeup. */
    void execute(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            tasks.add(task);
            selector.wakeup();
        }
    }

    /**
     * Runs {@code task} for {@code connection} on this loop, as {@link #execute}; if it throws, that
     * connection is closed and the loop goes on.
     */
    void executeFor(Connection connection, Runnable task) {
        execute(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                closeAfterFailure(connection, e);
            }
        });
    }

    /** Accepts connections from {@code server} on this loop, handing each to {@code onAccepted}. */
    void listen(ServerSocketChannel server, Consumer<SocketChannel> onAccepted) {
        execute(() -> {
            try {
                server.register(selector, SelectionKey.OP_ACCEPT, new Acceptor(server, onAccepted));
            } catch (IOException e) {
                log.error("{}: cannot accept on {}", name, server, e);
            }
        });
    }

    /** Takes over an accepted socket: registers it and creates its connection, on this loop. */
    void adopt(SocketChannel channel, ConnectionFactory factory) {
        execute(() -> {
            if (!running) {
                closeQuietly(channel);
                return;
            }
            try {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, 0);
                Connection connection = factory.create(channel, key, this);
                key.attach(connection);
                connections.add(connection);
                connection.start();
            } catch (IOException | RuntimeException e) {
                log.warn("{}: cannot take over the connection {}; closing it", name, channel, e);
                closeQuietly(channel);
            }
        });
    }

    /** Creates the connection for a socket this loop adopted. */
    @FunctionalInterface
    interface ConnectionFactory {
        Connection create(SocketChannel channel, SelectionKey key, NetworkThread network) throws IOException;
    }

    /** A connection has answers to write; it is flushed before the loop selects again. */
    void markDirty(Connection connection) {
        if (!connection.dirty) {
            connection.dirty = true;
            dirty.add(connection);
        }
    }

    /** A connection waits for request memory; it is told when some is released. */
    void onWaitingForMemory(Connection connection) {
        waitingForMemory.add(connection);
    }

    void onClosed(Connection connection) {
        connections.remove(connection);
        waitingForMemory.remove(connection);
    }

    /** Number of open connections on this loop (tests, metrics). */
    int connectionCount() {
        return connections.size();
    }

    /** Tests only: closes the selector under the running loop, which then fails as with a broken selector. */
    void breakForTest() {
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("{}: closing the selector failed", name, e);
        }
    }

    /** Stops the loop: closes every connection and any listening socket on it, then ends the thread. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        Throwable failure = null;
        try {
            while (running) {
                selector.select(this::onSelected, IDLE_CHECK_MS);
                runTasks();
                flushDirty();
                maybeCloseIdle();
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            log.error("{}: the event loop failed and cannot go on; closing its connections", name, e);
        } finally {
            pool.removeReleaseListener(onMemoryReleased);
            running = false;
            runTasksQuietly(); // adoptions queued meanwhile close their sockets (running is false)
            closeAll(failure == null); // a failed loop leaves the listening socket to its replacement
        }
        if (failure != null) {
            onLoopFailed.accept(this, failure);
        }
    }

    private void onSelected(SelectionKey key) {
        Object attachment = key.attachment();
        if (attachment instanceof Acceptor acceptor) {
            accept(acceptor);
        } else if (attachment instanceof Connection connection) {
            try {
                connection.onSelected(key, readBuffer);
            } catch (RuntimeException | Error e) {
                closeAfterFailure(connection, e);
            }
        }
    }

    /** Any throwable while serving one connection closes it; the loop and the others go on. */
    private void closeAfterFailure(Connection connection, Throwable failure) {
        metrics.onClosedOnFailure();
        log.error(
                "{}: closing the connection from {} after an unexpected failure; other connections carry on",
                name,
                connection.remote(),
                failure);
        try {
            connection.close(failure.toString());
        } catch (RuntimeException | Error e) {
            log.error("{}: closing the connection from {} failed too", name, connection.remote(), e);
            connections.remove(connection);
            waitingForMemory.remove(connection);
        }
    }

    private void accept(Acceptor acceptor) {
        try {
            SocketChannel channel;
            while ((channel = acceptor.server().accept()) != null) {
                acceptor.onAccepted().accept(channel);
            }
        } catch (IOException | RuntimeException e) {
            // e.g. too many open files: this socket is lost, the listener carries on
            log.warn("{}: accepting a connection failed: {}", name, e.toString());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                // a connection's tasks are guarded by executeFor; this is an accept or adoption task
                log.error("{}: a task failed", name, e);
            }
        }
    }

    private void runTasksQuietly() {
        try {
            runTasks();
        } catch (RuntimeException | Error e) {
            log.error("{}: a task failed while stopping", name, e);
        }
    }

    private void flushDirty() {
        Connection connection;
        while ((connection = dirty.poll()) != null) {
            connection.dirty = false;
            try {
                connection.flush();
            } catch (RuntimeException | Error e) {
                closeAfterFailure(connection, e);
            }
        }
    }

    /** From any thread, after the pool released memory: wake the connections of this loop that wait. */
    private void onMemoryReleased() {
        if (memoryWakeQueued.compareAndSet(false, true)) {
            tasks.add(this::resumeMemoryWaiters);
            selector.wakeup();
        }
    }

    private void resumeMemoryWaiters() {
        memoryWakeQueued.set(false);
        List<Connection> resumed = new ArrayList<>(waitingForMemory);
        waitingForMemory.clear();
        for (Connection connection : resumed) {
            try {
                connection.onMemoryReleased();
            } catch (RuntimeException | Error e) {
                closeAfterFailure(connection, e);
            }
        }
    }

    /** Kafka's {@code connections.max.idle.ms}: a connection with no traffic and nothing owed is closed. */
    private void maybeCloseIdle() {
        long now = System.nanoTime();
        if (now - lastIdleCheckNanos < IDLE_CHECK_MS * 1_000_000L) {
            return;
        }
        lastIdleCheckNanos = now;
        for (Connection connection : new ArrayList<>(connections)) {
            if (connection.idleNanos(now) > connectionsMaxIdleNanos && !connection.hasRequestsInFlight()) {
                log.info(
                        "{}: closing the connection from {}: idle for more than {} ms (connections-max-idle)",
                        name,
                        connection.remote(),
                        connectionsMaxIdleNanos / 1_000_000L);
                connection.close("idle");
            }
        }
    }

    private void closeAll(boolean closeListeners) {
        try {
            for (SelectionKey key : selector.keys()) {
                if (closeListeners && key.attachment() instanceof Acceptor acceptor) {
                    closeQuietly(acceptor.server());
                }
            }
        } catch (RuntimeException e) {
            log.debug("{}: listing the selector's keys failed", name, e);
        }
        for (Connection connection : new ArrayList<>(connections)) {
            try {
                connection.close("the listener stopped");
                connection.releaseUnanswered(); // no task of this loop runs any more
            } catch (RuntimeException | Error e) {
                log.debug("{}: closing a connection failed", name, e);
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("{}: closing the selector failed", name, e);
        }
    }

    static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed", channel, e);
        }
    }
}
