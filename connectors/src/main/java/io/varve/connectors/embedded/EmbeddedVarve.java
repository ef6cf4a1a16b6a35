package io.varve.connectors.embedded;

import io.varve.actors.NodeServices;
import io.varve.actors.VarveNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running embedded node: its Kafka listener's address, its ActorSystem (materialize the
 * in-process streams of {@code io.varve.connectors.stream} in it, or in the application's own),
 * topic creation, and a clean {@link #close()}. Thread-safe.
 *
 * <p>Closing runs the node's CoordinatedShutdown as {@code bin/varve} does on SIGTERM: the listener
 * is unbound, every log is closed and checkpointed, the ActorSystem terminates; then a temporary
 * data directory is deleted. Streams still reading or writing fail with the node's partitions gone.
 */
public final class EmbeddedVarve implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedVarve.class);

    private final VarveNode node;
    private final NodeServices services;
    private final InetSocketAddress address;
    private final Path dataDir;
    private final boolean temporary;
    private final Duration timeout;
    private boolean closed;

    private EmbeddedVarve(
            VarveNode node,
            NodeServices services,
            InetSocketAddress address,
            Path dataDir,
            boolean temporary,
            Duration timeout) {
        this.node = node;
        this.services = services;
        this.address = address;
        this.dataDir = dataDir;
        this.temporary = temporary;
        this.timeout = timeout;
    }

    static EmbeddedVarve start(VarveBuilder builder) {
        ClassPreloader preloader = builder.preloadClasses()
                ? ClassPreloader.start(EmbeddedVarve.class.getClassLoader())
                : ClassPreloader.none();
        try {
            return startNode(builder);
        } catch (RuntimeException | Error e) {
            preloader.stop();
            throw e;
        }
    }

    private static EmbeddedVarve startNode(VarveBuilder builder) {
        boolean temporary = builder.dataDir() == null;
        Path dir;
        try {
            dir = temporary ? Files.createTempDirectory("varve-") : Files.createDirectories(builder.dataDir());
        } catch (IOException e) {
            throw new VarveStartException("cannot create the data directory: " + e.getMessage(), e);
        }
        Duration timeout = builder.startTimeout();
        VarveNode node = null;
        try {
            node = VarveNode.start(builder.resolve(dir, temporary));
            InetSocketAddress address = node.awaitReady(timeout);
            NodeServices services =
                    node.services().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            TopicCreation.create(services, builder.topics(), true, timeout)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new EmbeddedVarve(node, services, address, dir, temporary, timeout);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (node != null) {
                stop(node, timeout);
            }
            if (temporary) {
                TemporaryDirectory.delete(dir);
            }
            throw new VarveStartException("the embedded Varve node did not start in " + dir + ": " + cause, cause);
        }
    }

    /** {@code host:port} of the Kafka listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return address.getHostString() + ":" + address.getPort();
    }

    public InetSocketAddress address() {
        return address;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The node's broker id. */
    public int nodeId() {
        return services.broker().nodeId();
    }

    /** The node's own ActorSystem (a one-node Pekko cluster). */
    public ActorSystem<?> system() {
        return node.system();
    }

    /**
     * The node's partition actors, metadata and group coordinators: what the in-process stream
     * stages talk to. Not needed by applications.
     */
    public NodeServices services() {
        return services;
    }

    /** Creates topics and waits until they are writable; fails with Kafka's exception for a bad one. */
    public void createTopics(NewTopic... topics) {
        await(createTopicsAsync(Arrays.asList(topics)), "creating " + Arrays.toString(topics));
    }

    /** Creates a topic with {@code partitions} partitions and the broker's default configs. */
    public void createTopic(String name, int partitions) {
        createTopics(new NewTopic(name, partitions, (short) -1));
    }

    /** As {@link #createTopics}, without blocking; a topic that exists fails with {@code TopicExistsException}. */
    public CompletionStage<Void> createTopicsAsync(List<NewTopic> topics) {
        return TopicCreation.create(services, List.copyOf(topics), false, timeout);
    }

    /** The number of partitions of {@code topic} in the node's metadata, or 0 if there is no such topic. */
    public int partitionCount(String topic) {
        return services.broker()
                .metadata()
                .image()
                .topic(topic)
                .map(t -> t.partitions().size())
                .orElse(0);
    }

    /** Stops the node cleanly and, if it was temporary, deletes its data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop(node, timeout);
        if (temporary) {
            TemporaryDirectory.delete(dataDir);
        }
    }

    private static void stop(VarveNode node, Duration timeout) {
        try {
            node.stop().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            node.system().getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            node.system().terminate();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("the embedded node did not stop cleanly within {} ms; terminating it", timeout.toMillis(), e);
            node.system().terminate();
        }
    }

    private static void await(CompletionStage<?> stage, String what) {
        try {
            stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new KafkaException(what + " failed", e.getCause());
        }
    }

    @Override
    public String toString() {
        return "EmbeddedVarve[" + bootstrapServers() + ", " + dataDir + "]";
    }
}
