package io.varve.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One directed path of the campaign's network: a TCP proxy listening where one source process reaches
 * one node's service, forwarding every connection to the node's bound port. {@link #cut()} makes it
 * behave like a partitioned network rather than a closed port: connections stay open but no byte
 * moves in either direction, and new connections are accepted but not carried to the node, so peers
 * see silence and time out as they would on a real partition. {@link #mend()} lets everything held
 * flow again, as TCP would deliver after the network healed. {@link #delayNewConnections} gives the
 * connections accepted from then on a long path: every byte arrives a fixed time after it was sent,
 * in order, at the sender's pace (a delay line, not a throttle).
 *
 * <p>Thread-safe: an accept thread, and per connection one connecting thread that then pumps one
 * direction while a second thread pumps the other (a delayed direction has a third: one thread reads
 * and stamps, one writes when due). All threads are daemons.
 */
public final class Link implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Link.class);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final String name;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean open = true;
    private volatile boolean closed;
    private volatile long delayNanos;
    private final AtomicInteger delayedConnections = new AtomicInteger();

    private Link(String name, ServerSocket server, InetSocketAddress target) {
        this.name = name;
        this.server = server;
        this.target = target;
    }

    /** Binds {@code listen} and starts carrying its connections to {@code target}. */
    public static Link start(String name, InetSocketAddress listen, InetSocketAddress target) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 200);
        Link link = new Link(name, server, target);
        daemon("link-accept-" + name, link::acceptLoop).start();
        return link;
    }

    /** Stops moving bytes and connecting, as a network partition does. */
    void cut() {
        synchronized (gate) {
            open = false;
        }
    }

    /** Lets bytes and held connections through again. */
    void mend() {
        synchronized (gate) {
            open = true;
            gate.notifyAll();
        }
    }

    /**
     * From now on every accepted connection carries its bytes {@code delay} late in each direction
     * ({@link Duration#ZERO}: at once again); connections already carried keep the delay they had.
     */
    public void delayNewConnections(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** How many connections were accepted with a delay. */
    public int delayedConnections() {
        return delayedConnections.get();
    }

    boolean isCut() {
        synchronized (gate) {
            return !open;
        }
    }

    private void awaitOpen() throws InterruptedException {
        synchronized (gate) {
            while (!open && !closed) {
                gate.wait();
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                daemon("link-" + name, () -> carry(client)).start();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("link {}: accept failed: {}", name, e.toString());
                }
            }
        }
    }

    private void carry(Socket client) {
        Socket upstream = new Socket();
        sockets.add(upstream);
        try {
            awaitOpen();
            upstream.connect(target, 10_000);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException | InterruptedException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        AtomicInteger directionsOpen = new AtomicInteger(2);
        long delay = delayNanos;
        if (delay > 0) {
            delayedConnections.incrementAndGet();
            daemon("link-" + name + "-up", () -> pumpDelayed(client, upstream, delay, directionsOpen))
                    .start();
            pumpDelayed(upstream, client, delay, directionsOpen);
            return;
        }
        daemon("link-" + name + "-up", () -> pump(client, upstream, directionsOpen))
                .start();
        pump(upstream, client, directionsOpen);
    }

    /** Bytes read from one side and when they are due on the other; {@code bytes} null: the end. */
    private record Chunk(byte[] bytes, long dueNanos) {}

    /**
     * As {@link #pump}, but each chunk is written {@code delay} nanoseconds after it was read: a reader
     * thread stamps the chunks into a queue, this thread writes them in order once due, so the sender's
     * throughput is kept and only the latency grows.
     */
    private void pumpDelayed(Socket from, Socket to, long delay, AtomicInteger directionsOpen) {
        BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
        daemon("link-" + name + "-read", () -> {
                    byte[] buffer = new byte[BUFFER_BYTES];
                    try {
                        InputStream in = from.getInputStream();
                        while (true) {
                            int n = in.read(buffer);
                            if (n < 0) {
                                break;
                            }
                            line.add(new Chunk(Arrays.copyOf(buffer, n), System.nanoTime() + delay));
                        }
                    } catch (IOException e) {
                        log.trace("link {}: {}", name, e.toString());
                    }
                    line.add(new Chunk(null, System.nanoTime() + delay));
                })
                .start();
        boolean clean = false;
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                Chunk chunk = line.take();
                long wait;
                while ((wait = chunk.dueNanos() - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait); // the emulated path's latency
                }
                awaitOpen();
                if (chunk.bytes() == null) {
                    to.shutdownOutput();
                    clean = true;
                    break;
                }
                out.write(chunk.bytes());
            }
        } catch (IOException | InterruptedException e) {
            log.trace("link {}: {}", name, e.toString());
        }
        ended(from, to, clean, directionsOpen);
    }

    /**
     * Copies {@code from} to {@code to} until {@code from} ends (then half-closes {@code to}); holds
     * the bytes while the link is cut. The sockets close when both directions ended, or at once on an
     * error.
     */
    private void pump(Socket from, Socket to, AtomicInteger directionsOpen) {
        byte[] buffer = new byte[BUFFER_BYTES];
        boolean clean = false;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            while (true) {
                awaitOpen();
                int n = in.read(buffer);
                awaitOpen();
                if (n < 0) {
                    to.shutdownOutput();
                    clean = true;
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException e) {
            log.trace("link {}: {}", name, e.toString());
        }
        ended(from, to, clean, directionsOpen);
    }

    /**
     * One direction ended: {@code clean} when its sender finished (the other direction may go on),
     * else on an error, which closes both sockets at once; they also close when both ended.
     */
    private void ended(Socket from, Socket to, boolean clean, AtomicInteger directionsOpen) {
        if (!clean || directionsOpen.decrementAndGet() == 0) {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket
        }
    }

    /** The port this link listens on (for a link bound to port 0). */
    int port() {
        return server.getLocalPort();
    }

    /** Connections this link carries or holds now (both ends counted). */
    int sockets() {
        return sockets.size();
    }

    @Override
    public void close() {
        closed = true;
        mend();
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.forEach(this::closeQuietly);
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
