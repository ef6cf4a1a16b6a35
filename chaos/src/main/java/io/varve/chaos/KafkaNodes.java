package io.varve.chaos;

import io.varve.chaos.Topology.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Three Apache Kafka brokers in KRaft combined mode (broker and controller in one process, static
 * voters), started the way {@code bench/cluster.sh} starts them, from the class path in
 * {@code bench/target/kafka.classpath} (Kafka's own jars: test and comparison only, never Varve's
 * runtime). Like {@link VarveNodes}, each binds on 127.0.0.1 and advertises its
 * {@link Topology#nodeName name}, which each process resolves through its own hosts file, so every
 * byte between brokers, controllers and clients crosses the campaign's links. Kafka's defaults for
 * failure detection are kept (broker.session.timeout.ms 9 s), so the comparison is with Kafka as
 * shipped.
 */
final class KafkaNodes implements Nodes {
    private static final long READY_TIMEOUT_MS = 300_000;

    private final Path dir;
    private final Topology topology;
    private final String classpath;
    private final String javaOpts;
    private final String clusterId = Uuid.randomUuid().toString();
    private final Process[] processes = new Process[Topology.NODES + 1];

    KafkaNodes(Path dir, Topology topology, Path classpathFile, String javaOpts) throws IOException {
        this.dir = dir;
        this.topology = topology;
        this.classpath = Files.readString(classpathFile).trim();
        this.javaOpts = javaOpts;
    }

    @Override
    public String system() {
        return "kafka";
    }

    @Override
    public void startMissing() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Integer> started = new ArrayList<>();
        // every node formatted before any starts: a broker that finds no controller quorum in time
        // gives up registering and exits
        for (int node = 1; node <= Topology.NODES; node++) {
            Path properties = dir.resolve("node-" + node + ".properties");
            if (!Files.exists(properties)) {
                Files.createDirectories(dataDir(node));
                Files.writeString(properties, properties(node));
                Files.writeString(dir.resolve("log4j2.properties"), LOG4J2);
                run(
                        node,
                        List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", properties.toString()),
                        dir.resolve("node-" + node + "-format.log"),
                        true);
            }
        }
        for (int node = 1; node <= Topology.NODES; node++) {
            if (isRunning(node)) {
                continue;
            }
            Path properties = dir.resolve("node-" + node + ".properties");
            processes[node] = run(node, List.of("kafka.Kafka", properties.toString()), log(node), false);
            started.add(node);
        }
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        for (int node : started) {
            while (!ready(node)) {
                if (!isRunning(node)) {
                    throw new IOException("kafka node " + node + " exited before it was ready; see " + log(node));
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("kafka node " + node + " was not ready in time; see " + log(node));
                }
                Thread.sleep(200);
            }
        }
    }

    private Path log(int node) {
        return dir.resolve("node-" + node + ".log");
    }

    /** Whether the node's current log says it started (each start appends a line). */
    private boolean ready(int node) throws IOException {
        String text = Files.readString(log(node));
        int lastStart = text.lastIndexOf("CHAOS-START");
        return text.indexOf("Kafka Server started", Math.max(0, lastStart)) >= 0;
    }

    private Process run(int node, List<String> main, Path output, boolean wait)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(List.of(javaOpts.trim().split("\\s+")));
        command.add("-Djdk.net.hosts.file=" + Topology.hostsPath(dir.getParent(), node));
        command.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties"));
        command.add("-Dkafka.logs.dir=" + dir.resolve("node-" + node));
        command.add("-cp");
        command.add(classpath);
        command.addAll(main);
        Files.writeString(
                output,
                "CHAOS-START " + UUID.randomUUID() + "\n",
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
                .start();
        if (wait) {
            if (!process.waitFor(180, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("kafka storage format of node " + node + " failed; see " + output);
            }
        }
        return process;
    }

    private String properties(int node) {
        StringBuilder voters = new StringBuilder();
        for (int n = 1; n <= Topology.NODES; n++) {
            voters.append(n == 1 ? "" : ",")
                    .append(n)
                    .append('@')
                    .append(Topology.nodeName(n))
                    .append(':')
                    .append(topology.advertisedPort(Service.CLUSTER, n));
        }
        return """
                process.roles=broker,controller
                node.id=%d
                controller.quorum.voters=%s
                listeners=PLAINTEXT://127.0.0.1:%d,CONTROLLER://127.0.0.1:%d
                advertised.listeners=PLAINTEXT://%s:%d,CONTROLLER://%s:%d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
                log.dirs=%s
                num.partitions=1
                default.replication.factor=3
                min.insync.replicas=2
                offsets.topic.replication.factor=3
                transaction.state.log.replication.factor=3
                transaction.state.log.min.isr=2
                share.coordinator.state.topic.replication.factor=3
                share.coordinator.state.topic.min.isr=2
                group.initial.rebalance.delay.ms=0
                """
                .formatted(
                        node,
                        voters,
                        topology.boundPort(Service.KAFKA, node),
                        topology.boundPort(Service.CLUSTER, node),
                        Topology.nodeName(node),
                        topology.advertisedPort(Service.KAFKA, node),
                        Topology.nodeName(node),
                        topology.advertisedPort(Service.CLUSTER, node),
                        dataDir(node));
    }

    @Override
    public long pid(int node) {
        Process process = processes[node];
        return process != null && process.isAlive() ? process.pid() : -1;
    }

    @Override
    public Path dataDir(int node) {
        return dir.resolve("node-" + node).resolve("data");
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (int node = 1; node <= Topology.NODES; node++) {
            stop(node);
        }
    }

    private static final String LOG4J2 =
            """
            status = warn
            appender.out.type = Console
            appender.out.name = OUT
            appender.out.layout.type = PatternLayout
            appender.out.layout.pattern = [%d] %p %m (%c)%n
            rootLogger.level = INFO
            rootLogger.appenderRef.out.ref = OUT
            logger.kafka.name = kafka
            logger.kafka.level = INFO
            logger.request.name = kafka.request.logger
            logger.request.level = WARN
            """;
}
