package io.varve.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Varve node in a child JVM ({@code io.varve.actors.Main --config FILE}, as {@code bin/varve start}
 * runs it, with the repository's {@code application.conf}) on a free Kafka port, so a test can really
 * {@code kill -9} it and start another on the same data directory. The config file and the node's log
 * ({@code node-N.conf}, {@code node-N.log}) are written next to the data directory.
 */
public final class NodeProcess implements AutoCloseable {
    private static final String DEFAULT_MAX_HEAP = "384m";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final String READY_LINE = "ready: Kafka listener";

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int port;

    private NodeProcess(Process process, Path dataDir, Path log, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts node {@code generation} (1, 2, … for the same data) with its data in {@code
     * workDir/data} and waits until it logs that it serves clients.
     */
    public static NodeProcess start(Path workDir, int generation) throws IOException, InterruptedException {
        return start(workDir, generation, "");
    }

    /** As {@link #start(Path, int)}, with {@code extraConfig} (HOCON) appended to the node's config file. */
    public static NodeProcess start(Path workDir, int generation, String extraConfig)
            throws IOException, InterruptedException {
        return start(workDir, generation, DEFAULT_MAX_HEAP, extraConfig);
    }

    /**
     * As {@link #start(Path, int, String)}, with a maximum heap of {@code maxHeap} ({@code -Xmx}) instead
     * of {@value #DEFAULT_MAX_HEAP}.
     */
    public static NodeProcess start(Path workDir, int generation, String maxHeap, String extraConfig)
            throws IOException, InterruptedException {
        Path dataDir = workDir.resolve("data");
        int port = freePort();
        Path config = workDir.resolve("node-" + generation + ".conf");
        Files.writeString(config, config(dataDir, port) + extraConfig);
        Path log = workDir.resolve("node-" + generation + ".log");
        String logback = BuildFiles.logbackClasspath();
        String classpath = BuildFiles.nodeClasspath() + (logback.isEmpty() ? "" : File.pathSeparator + logback);
        Process process = ChildJvm.launch(
                classpath,
                List.of(
                        "-Xmx" + maxHeap,
                        "-Dlogback.configurationFile="
                                + BuildFiles.itTarget().resolve("test-classes/child-node-logback.xml")),
                "io.varve.actors.Main",
                List.of("--config", config.toString()),
                log);
        NodeProcess node = new NodeProcess(process, dataDir, log, port);
        node.awaitReady();
        return node;
    }

    private void awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (!output().contains(READY_LINE)) {
            if (process.waitFor(100, TimeUnit.MILLISECONDS)) {
                throw new AssertionError(
                        "the node exited with " + process.exitValue() + " before it was ready:\n" + output());
            }
            if (Instant.now().isAfter(deadline)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("the node was not ready within " + START_TIMEOUT + ":\n" + output());
            }
        }
    }

    /**
     * The repository's own {@code application.conf} (what {@code bin/varve start} uses), with this
     * node's data directory, Kafka port and a free cluster port; CoordinatedShutdown exits the JVM.
     */
    private static String config(Path dataDir, int port) {
        return """
                include file("%s")
                varve.data-dir = "%s"
                varve.transport.port = %d
                varve.cluster.port = 0
                pekko.coordinated-shutdown.exit-jvm = on
                """
                .formatted(BuildFiles.repositoryRoot().resolve("application.conf"), dataDir, port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    /** {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux; returns the exit code. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit();
    }

    /** SIGTERM: the JVM shutdown hook runs CoordinatedShutdown, a clean stop; returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        return awaitExit();
    }

    private int awaitExit() throws InterruptedException {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the node did not exit within " + STOP_TIMEOUT + ":\n" + output());
        }
        return process.exitValue();
    }

    /** What the node logged so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public KafkaProducer<String, String> producer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.putAll(extra);
        return new KafkaProducer<>(p);
    }

    public KafkaConsumer<String, String> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p);
    }

    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000));
    }

    /** Kills the node if it still runs (a test that failed half-way); waits for it to exit. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.onExit()
                    .orTimeout(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .join();
        }
    }
}
