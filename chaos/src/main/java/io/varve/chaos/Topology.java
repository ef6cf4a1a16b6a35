package io.varve.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Where every node and client of a campaign lives on the loopback network. Each node has a name
 * ({@code chaos-node-N}) that every process resolves through its own hosts file
 * ({@code -Djdk.net.hosts.file}); the name points a process at its own <em>link</em> to that node, a
 * {@link Link} listening on {@code 127.77.S.D} (S the source process, D the node). Only the
 * advertised ports are on the links; the nodes bind their real ports on {@code 127.0.0.1}, so all
 * traffic between nodes, and from clients to nodes, crosses a link the campaign can cut.
 *
 * <pre>
 *   ports from base:  +N   Kafka listener, advertised (on every link to node N)
 *                     +10+N Kafka listener, bound on 127.0.0.1
 *                     +20+N cluster port (Artery, or KRaft's controller listener), advertised
 *                     +30+N cluster port, bound on 127.0.0.1
 *                     +40   PostgreSQL (Varve's journal), reached directly
 *   sources S:        1..3 the nodes, 4 client side A, 5 client side B, 6 the campaign itself
 * </pre>
 *
 * <p>Immutable.
 */
public record Topology(int portBase) {
    public static final int NODES = 3;
    public static final int SIDE_A = 4;
    public static final int SIDE_B = 5;
    public static final int CAMPAIGN = 6;
    public static final List<Integer> SOURCES = List.of(1, 2, 3, SIDE_A, SIDE_B, CAMPAIGN);

    /** The two services a node offers on a link. */
    public enum Service {
        KAFKA,
        CLUSTER
    }

    public static String nodeName(int node) {
        return "chaos-node-" + node;
    }

    public int advertisedPort(Service service, int node) {
        return portBase + (service == Service.KAFKA ? 0 : 20) + node;
    }

    public int boundPort(Service service, int node) {
        return portBase + (service == Service.KAFKA ? 10 : 30) + node;
    }

    public int postgresPort() {
        return portBase + 40;
    }

    /** The address of source {@code source}'s link to {@code node}, for one service. */
    public InetSocketAddress linkAddress(int source, int node, Service service) {
        return new InetSocketAddress("127.77." + source + "." + node, advertisedPort(service, node));
    }

    public InetSocketAddress boundAddress(int node, Service service) {
        return new InetSocketAddress("127.0.0.1", boundPort(service, node));
    }

    /** {@code chaos-node-1:port,...}: the Kafka listeners as clients are told them. */
    public String bootstrapServers() {
        return IntStream.rangeClosed(1, NODES)
                .mapToObj(n -> nodeName(n) + ":" + advertisedPort(Service.KAFKA, n))
                .collect(Collectors.joining(","));
    }

    /** {@code chaos-node-1:port,...}: the cluster ports as the nodes know them. */
    public String seedNodes() {
        return IntStream.rangeClosed(1, NODES)
                .mapToObj(n -> nodeName(n) + ":" + advertisedPort(Service.CLUSTER, n))
                .collect(Collectors.joining(","));
    }

    /** The hosts file of source {@code source}: every node name on that source's links. */
    public String hostsFile(int source) {
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        for (int node = 1; node <= NODES; node++) {
            hosts.append("127.77.")
                    .append(source)
                    .append('.')
                    .append(node)
                    .append(' ')
                    .append(nodeName(node))
                    .append('\n');
        }
        return hosts.toString();
    }

    /** Writes {@code hosts-S} for every source into {@code dir}; returns the path of {@code source}'s. */
    public Path writeHostsFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int source : SOURCES) {
            Files.writeString(hostsPath(dir, source), hostsFile(source));
        }
        return hostsPath(dir, CAMPAIGN);
    }

    public static Path hostsPath(Path dir, int source) {
        return dir.resolve("hosts-" + source);
    }
}
