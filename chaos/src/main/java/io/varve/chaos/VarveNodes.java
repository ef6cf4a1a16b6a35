package io.varve.chaos;

import io.varve.chaos.Topology.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A three-node Varve cluster started by {@code bin/varve cluster start} (the nodes and a throwaway
 * PostgreSQL, exactly as a user starts one), with each node's addresses moved onto the campaign's
 * links: every node binds its Kafka listener and cluster port on 127.0.0.1 and advertises its
 * {@link Topology#nodeName name}, which each process resolves through its own hosts file
 * ({@code node-N.jvm-options}); the per-node settings go into {@code node-N.extra.conf}, both read by
 * {@code bin/varve cluster start}.
 */
final class VarveNodes implements Nodes {
    private static final long SCRIPT_TIMEOUT_SECONDS = 600;

    private final Path repository;
    private final Path dir;
    private final Topology topology;
    private final String extraConfig;
    private final String javaOpts;

    VarveNodes(Path repository, Path dir, Topology topology, String extraConfig, String javaOpts) {
        this.repository = repository;
        this.dir = dir;
        this.topology = topology;
        this.extraConfig = extraConfig;
        this.javaOpts = javaOpts;
    }

    @Override
    public String system() {
        return "varve";
    }

    @Override
    public void startMissing() throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("campaign.conf"), extraConfig);
        for (int node = 1; node <= Topology.NODES; node++) {
            Files.writeString(dir.resolve("node-" + node + ".extra.conf"), nodeConfig(node));
            Files.writeString(
                    dir.resolve("node-" + node + ".jvm-options"),
                    "-Djdk.net.hosts.file=" + Topology.hostsPath(dir.getParent(), node) + "\n");
        }
        script("start");
    }

    private String nodeConfig(int node) {
        return """
                # written by the campaign (chaos/run.sh): every address through the campaign's links
                varve.cluster.host = "%s"
                varve.cluster.port = %d
                varve.cluster.seed-nodes = "%s"
                pekko.remote.artery.bind.hostname = "127.0.0.1"
                pekko.remote.artery.bind.port = %d
                varve.transport.host = "127.0.0.1"
                varve.transport.port = %d
                varve.transport.advertised-host = "%s"
                varve.transport.advertised-port = %d
                """
                .formatted(
                        Topology.nodeName(node),
                        topology.advertisedPort(Service.CLUSTER, node),
                        topology.seedNodes(),
                        topology.boundPort(Service.CLUSTER, node),
                        topology.boundPort(Service.KAFKA, node),
                        Topology.nodeName(node),
                        topology.advertisedPort(Service.KAFKA, node));
    }

    @Override
    public long pid(int node) {
        Path file = dir.resolve("node-" + node + ".pid");
        try {
            long pid = Long.parseLong(Files.readString(file).trim());
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public Path dataDir(int node) {
        return dir.resolve("node-" + node);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        script("stop");
    }

    private void script(String command) throws IOException, InterruptedException {
        Path output = dir.resolve("cluster-" + command + ".out");
        ProcessBuilder builder = new ProcessBuilder(
                        "bash", repository.resolve("bin/varve").toString(), "cluster", command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
        Map<String, String> env = builder.environment();
        env.put("VARVE_CLUSTER_DIR", dir.toString());
        env.put("VARVE_CLUSTER_KAFKA_PORT", Integer.toString(topology.boundPort(Service.KAFKA, 1)));
        env.put("VARVE_CLUSTER_PORT_BASE", Integer.toString(topology.boundPort(Service.CLUSTER, 1)));
        env.put("VARVE_CLUSTER_PG_PORT", Integer.toString(topology.postgresPort()));
        env.put("VARVE_CLUSTER_EXTRA_CONFIG", dir.resolve("campaign.conf").toString());
        env.put("JAVA_OPTS", javaOpts);
        Process process = builder.start();
        if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new IOException("bin/varve cluster " + command + " did not finish in " + SCRIPT_TIMEOUT_SECONDS
                    + " s; see " + output);
        }
        if (process.exitValue() != 0) {
            throw new IOException(
                    "bin/varve cluster " + command + " exited with " + process.exitValue() + "; see " + output);
        }
    }
}
