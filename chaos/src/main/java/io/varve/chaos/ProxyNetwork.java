package io.varve.chaos;

import io.varve.chaos.Topology.Service;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Every {@link Link} of a campaign: from each source (the three nodes, client sides A and B, the
 * campaign) to each node, for the Kafka listener and the cluster port. A partition cuts the links
 * that cross it and leaves the rest; the campaign's own links are never cut (it watches the cluster
 * from outside the fault).
 *
 * <p>Thread-safe; owned by the campaign, closed when it ends.
 */
final class ProxyNetwork implements AutoCloseable {
    private record Path(int source, int node, Service service, Link link) {}

    private final List<Path> paths;

    private ProxyNetwork(List<Path> paths) {
        this.paths = paths;
    }

    static ProxyNetwork start(Topology topology) throws IOException {
        List<Path> paths = new ArrayList<>();
        try {
            for (int source : Topology.SOURCES) {
                for (int node = 1; node <= Topology.NODES; node++) {
                    for (Service service : Service.values()) {
                        String name =
                                source + "->" + node + "/" + service.name().toLowerCase(java.util.Locale.ROOT);
                        Link link = Link.start(
                                name,
                                topology.linkAddress(source, node, service),
                                topology.boundAddress(node, service));
                        paths.add(new Path(source, node, service, link));
                    }
                }
            }
        } catch (IOException e) {
            paths.forEach(p -> p.link().close());
            throw e;
        }
        return new ProxyNetwork(paths);
    }

    /**
     * Partitions {@code node} from the other nodes: it keeps client side A, the others keep client
     * side B (clients on both sides of the partition).
     */
    void isolate(int node) {
        for (Path path : paths) {
            if (crossesPartition(path.source(), path.node(), node)) {
                path.link().cut();
            }
        }
    }

    /** Whether traffic from {@code source} to {@code node} crosses the partition around {@code isolated}. */
    static boolean crossesPartition(int source, int node, int isolated) {
        if (source == Topology.CAMPAIGN) {
            return false;
        }
        boolean sourceWithIsolated = source == isolated || source == Topology.SIDE_A;
        boolean nodeIsIsolated = node == isolated;
        return sourceWithIsolated != nodeIsIsolated;
    }

    /** Mends every link. */
    void heal() {
        paths.forEach(p -> p.link().mend());
    }

    /** How many links are cut now. */
    long cutLinks() {
        return paths.stream().filter(p -> p.link().isCut()).count();
    }

    @Override
    public void close() {
        paths.forEach(p -> p.link().close());
    }
}
