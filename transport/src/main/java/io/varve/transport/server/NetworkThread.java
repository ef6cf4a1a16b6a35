package io.varve.transport.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 *          run queued tasks; flush connections that have answers to write
 * </pre>
 *
 * <p>Other threads talk to the loop only through {@link #execute}, which queues a task and wakes the
 * selector. The loop never blocks except in {@code select()}: record sections are transferred with
 * {@code sendfile} on the sendfile executor ({@link ResponseWriter}). The first thread also accepts
 * connections for all of them ({@link #listen}).
 */
final class NetworkThread implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(NetworkThread.class);

    /** Bytes read from a socket per {@code read} call; frames are copied out of it at once. */
    static final int READ_BUFFER_BYTES = 64 * 1024;

    private final String name;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Connection> dirty = new ArrayDeque<>();
    private final List<Connection> connections = new ArrayList<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private volatile boolean running = true;

    private record Acceptor(ServerSocketChannel server, Consumer<SocketChannel> onAccepted) {}

    NetworkThread(String name) throws IOException {
        this.name = name;
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        // the node's lifecycle stops the listener; a forgotten loop must not keep the JVM alive
        this.thread.setDaemon(true);
    }

    void start() {
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

    void onClosed(Connection connection) {
        connections.remove(connection);
    }

    /** Stops the loop: closes every connection and any listening socket on it, then ends the thread. */
    void shutdown() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(this::onSelected);
                runTasks();
                flushDirty();
            }
        } catch (IOException | RuntimeException e) {
            log.error("{} failed; its connections are closed", name, e);
        } finally {
            runTasks(); // adoptions queued meanwhile close their sockets (running is false)
            closeAll();
        }
    }

    private void onSelected(SelectionKey key) {
        Object attachment = key.attachment();
        if (attachment instanceof Acceptor acceptor) {
            accept(acceptor);
        } else if (attachment instanceof Connection connection) {
            connection.onSelected(key, readBuffer);
        }
    }

    private void accept(Acceptor acceptor) {
        try {
            SocketChannel channel;
            while ((channel = acceptor.server().accept()) != null) {
                acceptor.onAccepted().accept(channel);
            }
        } catch (IOException e) {
            // e.g. too many open files: this socket is lost, the listener carries on
            log.warn("{}: accepting a connection failed: {}", name, e.toString());
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{}: a task failed", name, e);
            }
        }
    }

    private void flushDirty() {
        Connection connection;
        while ((connection = dirty.poll()) != null) {
            connection.dirty = false;
            connection.flush();
        }
    }

    private void closeAll() {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Acceptor acceptor) {
                closeQuietly(acceptor.server());
            }
        }
        for (Connection connection : new ArrayList<>(connections)) {
            connection.close("the listener stopped");
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
