package io.varve.it.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.actors.VarveNode;
import io.varve.storage.testing.SerializationCheckAppender;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test kit: a Varve node started in-process on free ports with its data in a test directory, as
 * {@code bin/varve start} would run it, and restartable on the same data. Integration tests drive
 * it with real Kafka clients through {@link #bootstrapServers()}.
 */
public final class VarveCluster implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDir;
    private final Map<String, Object> overrides;
    private VarveNode node;
    private InetSocketAddress listener;

    private VarveCluster(Path dataDir, Map<String, Object> overrides) {
        this.dataDir = dataDir;
        this.overrides = overrides;
    }

    /** One node with its data in {@code dataDir}; {@code overrides} are config paths and values. */
    public static VarveCluster start(Path dataDir, Map<String, Object> overrides) throws Exception {
        VarveCluster cluster = new VarveCluster(dataDir, overrides);
        cluster.startNode(0);
        return cluster;
    }

    public static VarveCluster start(Path dataDir) throws Exception {
        return start(dataDir, Map.of());
    }

    private void startNode(int port) throws Exception {
        Map<String, Object> settings = new HashMap<>(overrides);
        settings.put("varve.node-id", 1);
        settings.put("varve.data-dir", dataDir.toString());
        settings.put("varve.transport.port", port);
        settings.put("varve.cluster.port", 0);
        Config config = ConfigFactory.parseMap(settings)
                .withFallback(ConfigFactory.parseResources("varve-it.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
        node = VarveNode.start(config);
        listener = node.awaitReady(START_TIMEOUT);
    }

    public String bootstrapServers() {
        return listener.getHostString() + ":" + listener.getPort();
    }

    public VarveNode node() {
        return node;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A clean stop and a start on the same data directory (the port changes). */
    public void restart() throws Exception {
        stopNode();
        startNode(0);
    }

    /**
     * A clean stop that leaves the node down, so a test can look at the data directory of a stopped
     * node; {@link #startAgain()} starts it on the same data.
     */
    public void stopCleanly() throws Exception {
        stopNode();
    }

    /** Starts the node again on the same data directory after {@link #stopCleanly()}. */
    public void startAgain() throws Exception {
        if (node != null) {
            throw new IllegalStateException("the node is running");
        }
        startNode(0);
    }

    /**
     * Like {@link #startAgain()} but on the Kafka port the node had before, so clients that stayed
     * open across the stop (an idempotent producer with its producer id) reconnect to it.
     */
    public void startAgainOnSamePort() throws Exception {
        if (node != null) {
            throw new IllegalStateException("the node is running");
        }
        startNode(listener.getPort());
    }

    private void stopNode() throws Exception {
        if (node != null) {
            node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
            node.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
            node = null;
        }
    }

    @Override
    public void close() {
        try {
            stopNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the node", e);
        } catch (Exception e) {
            throw new IllegalStateException("the node did not stop cleanly", e);
        }
        List<String> dropped = SerializationCheckAppender.drain();
        if (!dropped.isEmpty()) {
            throw new AssertionError("messages failed serialize-messages verification: " + dropped);
        }
    }
}
