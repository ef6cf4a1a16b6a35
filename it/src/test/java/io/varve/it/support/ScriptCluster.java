package io.varve.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A three-node Varve cluster started exactly as a user starts one: {@code bin/varve cluster start}
 * (three node processes, a throwaway PostgreSQL for the shared journal), on free ports and in a
 * directory of the test's choosing. A test kills nodes with {@code kill -9} through their pid files,
 * starts the missing ones again with {@code bin/varve cluster start}, and stops everything with
 * {@code bin/varve cluster stop}. Nodes run with the IT's logging and a small heap; {@code
 * extraConfig} is added to every node's configuration.
 */
public final class ScriptCluster implements AutoCloseable {
    public static final int NODES = 3;
    /** Ports are reserved for this many nodes: the three, and one that {@link #addNode} starts. */
    private static final int MAX_NODES = 4;

    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(6);

    private final Path dir;
    private final int kafkaBase;
    private final int clusterBase;
    private final int postgresPort;
    private final Path extraConfig;
    private int nodes = NODES;

    private ScriptCluster(Path dir, int kafkaBase, int clusterBase, int postgresPort, Path extraConfig) {
        this.dir = dir;
        this.kafkaBase = kafkaBase;
        this.clusterBase = clusterBase;
        this.postgresPort = postgresPort;
        this.extraConfig = extraConfig;
    }

    /** Starts the cluster in {@code dir} (emptied first) and returns when every node serves. */
    public static ScriptCluster start(Path dir, String extraConfig) throws IOException, InterruptedException {
        return start(dir, extraConfig, empty -> {});
    }

    /**
     * What a test does to the cluster before the nodes start, its directory emptied and its ports
     * chosen (e.g. mount a data dir, or write a node's {@code node-N.extra.conf}).
     */
    @FunctionalInterface
    public interface Preparation {
        void prepare(ScriptCluster cluster) throws IOException, InterruptedException;
    }

    /**
     * Starts the cluster in {@code dir} (emptied first, then given to {@code preparation}) and returns
     * when every node serves.
     */
    public static ScriptCluster start(Path dir, String extraConfig, Preparation preparation)
            throws IOException, InterruptedException {
        deleteRecursively(dir);
        Files.createDirectories(dir);
        Path extra = dir.resolve("test.conf");
        Files.writeString(extra, extraConfig);
        int[] ports = freePortBlocks();
        ScriptCluster cluster = new ScriptCluster(dir, ports[0], ports[1], ports[2], extra);
        try {
            preparation.prepare(cluster);
            cluster.startMissing();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            cluster.close(); // the nodes and PostgreSQL that did start would outlive the test run
            throw e;
        }
        return cluster;
    }

    /** {@code bin/varve cluster start}: starts every node that is not running; waits until they serve. */
    public void startMissing() throws IOException, InterruptedException {
        script("start");
    }

    /** {@code bin/varve cluster start N ...}: starts only the given nodes (if not running); waits until they serve. */
    public void start(int... which) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>();
        args.add("start");
        for (int n : which) {
            args.add(Integer.toString(n));
        }
        script(args.toArray(String[]::new));
    }

    /**
     * Scaling out: {@code VARVE_CLUSTER_NODES=4 bin/varve cluster start} starts node 4, which joins
     * the running cluster; returns when it serves. From now on the cluster's scripts cover 4 nodes.
     */
    public void addNode() throws IOException, InterruptedException {
        if (nodes == MAX_NODES) {
            throw new IllegalStateException("already " + MAX_NODES + " nodes");
        }
        nodes++;
        script("start");
    }

    /**
     * {@code bin/varve cluster stop-postgres}: stops the cluster's PostgreSQL while the nodes keep
     * running; {@link #startMissing} starts it again.
     */
    public void stopJournalDatabase() throws IOException, InterruptedException {
        script("stop-postgres");
    }

    /** {@code bin/varve cluster stop}: every node (SIGTERM, a clean stop), then PostgreSQL. */
    public void stopAll() throws IOException, InterruptedException {
        script("stop");
    }

    /** {@code kill -9} of node {@code n}; returns once the process is gone. */
    public void kill(int n) throws IOException, InterruptedException {
        long pid = pid(n);
        ProcessHandle handle =
                ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("node " + n + " is not running"));
        handle.destroyForcibly();
        handle.onExit().orTimeout(60, TimeUnit.SECONDS).join();
    }

    /** {@code kill -TERM} of node {@code n} (a clean stop); returns once the process is gone. */
    public void terminate(int n) throws IOException, InterruptedException {
        long pid = pid(n);
        ProcessHandle handle =
                ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("node " + n + " is not running"));
        handle.destroy();
        handle.onExit().orTimeout(120, TimeUnit.SECONDS).join();
    }

    /**
     * {@code kill -TERM} of node {@code n} without waiting for it to end: a paused node takes the
     * signal when it is resumed.
     */
    public void requestStop(int n) throws IOException, InterruptedException {
        signal(n, "TERM");
    }

    /** {@code kill -STOP} of node {@code n}: the process stays, frozen (a long pause, a stopped VM). */
    public void pause(int n) throws IOException, InterruptedException {
        signal(n, "STOP");
    }

    /** {@code kill -CONT} of node {@code n}, paused before. */
    public void resume(int n) throws IOException, InterruptedException {
        signal(n, "CONT");
    }

    private void signal(int n, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid(n)))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + signal + " of node " + n + " failed");
        }
    }

    public boolean isRunning(int n) {
        try {
            return ProcessHandle.of(pid(n)).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }

    public long pid(int n) throws IOException {
        return Long.parseLong(
                Files.readString(dir.resolve("node-" + n + ".pid")).trim());
    }

    public int kafkaPort(int n) {
        return kafkaBase + n - 1;
    }

    public int clusterPort(int n) {
        return clusterBase + n - 1;
    }

    public String bootstrapServers() {
        return IntStream.rangeClosed(1, NODES)
                .mapToObj(n -> "127.0.0.1:" + kafkaPort(n))
                .collect(Collectors.joining(","));
    }

    public String seedNodes() {
        return IntStream.rangeClosed(1, NODES)
                .mapToObj(n -> "127.0.0.1:" + clusterPort(n))
                .collect(Collectors.joining(","));
    }

    public String journalUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/varve";
    }

    public Path dir() {
        return dir;
    }

    public Path dataDir(int n) {
        return dir.resolve("node-" + n);
    }

    /** What node {@code n} logged so far, over all its runs (the script appends). */
    public String log(int n) {
        try {
            return Files.readString(dir.resolve("node-" + n + ".log"));
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

    public KafkaConsumer<String, String> consumer(Map<String, Object> extra) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putAll(extra);
        return new KafkaConsumer<>(p);
    }

    /** The values of {@code tp} from its first offset up to its end offset now, in order; what arrived by {@code deadline}. */
    public List<String> values(TopicPartition tp, Duration deadline) {
        try (KafkaConsumer<String, String> consumer = consumer(Map.of())) {
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(60)).get(tp);
            List<String> values = new ArrayList<>();
            Instant until = Instant.now().plus(deadline);
            while (consumer.position(tp) < end && Instant.now().isBefore(until)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    values.add(record.value());
                }
            }
            return values;
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                60_000));
    }

    private void script(String... arguments) throws IOException, InterruptedException {
        String command = String.join(" ", arguments);
        Path output = dir.resolve("script-" + arguments[0] + ".out");
        List<String> line = new ArrayList<>(
                List.of("bash", BuildFiles.repositoryRoot().resolve("bin/varve").toString(), "cluster"));
        line.addAll(List.of(arguments));
        ProcessBuilder builder =
                new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(output.toFile());
        Map<String, String> env = builder.environment();
        env.putAll(environment());
        Process process = builder.start();
        if (!process.waitFor(SCRIPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("bin/varve cluster " + command + " did not finish within " + SCRIPT_TIMEOUT + ":\n"
                    + Files.readString(output) + logs());
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("bin/varve cluster " + command + " exited with " + process.exitValue() + ":\n"
                    + Files.readString(output) + logs());
        }
    }

    /** The environment the script runs with: this cluster's directory and ports, the IT's JVM options. */
    public Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("VARVE_CLUSTER_DIR", dir.toString());
        env.put("VARVE_CLUSTER_KAFKA_PORT", Integer.toString(kafkaBase));
        env.put("VARVE_CLUSTER_PORT_BASE", Integer.toString(clusterBase));
        env.put("VARVE_CLUSTER_PG_PORT", Integer.toString(postgresPort));
        env.put("VARVE_CLUSTER_EXTRA_CONFIG", extraConfig.toString());
        env.put("VARVE_CLUSTER_NODES", Integer.toString(nodes));
        env.put("VARVE_SKIP_BUILD", "1");
        // a CI machine shared by several builds starts three JVMs slowly: wait up to 5.5 of the 6 minutes
        env.put("VARVE_CLUSTER_START_TIMEOUT", "330");
        env.put("VARVE_CDS", "off");
        env.put(
                "JAVA_OPTS",
                "-Xmx384m -Dlogback.configurationFile="
                        + BuildFiles.itTarget().resolve("test-classes/child-node-logback.xml"));
        return env;
    }

    private String logs() {
        StringBuilder all = new StringBuilder();
        for (int n = 1; n <= nodes; n++) {
            Path log = dir.resolve("node-" + n + ".log");
            try {
                List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
                all.append("\n--- node ").append(n).append(" (last 40 lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size())
                        .forEach(line -> all.append(line).append('\n'));
            } catch (IOException e) {
                all.append("\n--- node ").append(n).append(": ").append(e);
            }
        }
        return all.toString();
    }

    /** Three blocks of free ports: Kafka listeners (4), cluster ports (4), PostgreSQL (1). */
    private static int[] freePortBlocks() throws IOException {
        List<Integer> starts = new ArrayList<>();
        while (starts.size() < 3) {
            int start = 20000 + ThreadLocalRandom.current().nextInt(30000);
            int size = starts.size() < 2 ? MAX_NODES : 1;
            if (IntStream.range(start, start + size).allMatch(ScriptCluster::isFree)
                    && starts.stream().noneMatch(s -> Math.abs(s - start) < MAX_NODES)) {
                starts.add(start);
            }
        }
        return new int[] {starts.get(0), starts.get(1), starts.get(2)};
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort() == port;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops whatever still runs (a failed test); the directory stays for the logs. */
    @Override
    public void close() {
        for (int n = 1; n <= nodes; n++) {
            if (isRunning(n)) {
                try {
                    resume(n); // a node a failed test left paused would not stop
                } catch (IOException | InterruptedException | AssertionError ignored) {
                    // best effort
                }
            }
        }
        try {
            stopAll();
        } catch (IOException | InterruptedException | AssertionError e) {
            for (int n = 1; n <= nodes; n++) {
                if (isRunning(n)) {
                    try {
                        kill(n);
                    } catch (IOException | InterruptedException ignored) {
                        // best effort: the test already failed
                    }
                }
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
