package io.varve.chaos;

import java.io.IOException;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault of the campaign and brings the cluster back: {@code kill -9} of a partition's
 * leader, of the controller's node, of two nodes at once; {@code SIGSTOP} of a leader past the failure
 * detector and the split-brain resolver, then {@code SIGCONT}; a network partition of a leader from
 * the other nodes (with client side A on its side) through the {@link ProxyNetwork}; a full disk on a
 * leader's node ({@link DiskFaults}). After each, every
 * node that is not running is started again and the cluster is watched until every partition is led
 * and fully in sync.
 *
 * <p>Used from the campaign's thread only.
 */
final class FaultInjector {
    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

    /** The kinds, in the order the cycles go through them by default ({@code --faults} chooses). */
    static final String[] KINDS = {
        "kill-leader", "kill-controller", "kill-two", "pause-leader", "partition-leader", "disk-full", "slow-disk"
    };

    private static final long FAILOVER_DEADLINE_MS = 40_000;
    private static final long RECOVERY_DEADLINE_MS = 240_000;
    /** Longer than failure detection plus the split-brain resolver's down-after (about 9-10 s). */
    private static final long PAUSE_MS = 15_000;

    private static final long PARTITION_MS = 15_000;
    private static final long TWO_DOWN_MS = 5_000;
    /** How long a disk stays full at least: past detection (the node's first failed write) and its stop. */
    private static final long DISK_FULL_MS = 15_000;
    /** How long a disk stays slow, and how slow: far below what the workloads write to each node. */
    private static final long SLOW_DISK_MS = 30_000;

    static final long SLOW_DISK_BYTES_PER_SECOND = 16 * 1024;

    private final Nodes nodes;
    private final ProxyNetwork network;
    private final ClusterWatch watch;
    private final int partitions;
    private final List<String> kinds;
    private final DiskFaults disks;

    /**
     * @param kinds the faults the cycles go through, in order
     * @param disks the data disks of {@code disk-full} and {@code slow-disk}; null when neither is among
     *     {@code kinds}
     */
    FaultInjector(
            Nodes nodes,
            ProxyNetwork network,
            ClusterWatch watch,
            int partitions,
            List<String> kinds,
            DiskFaults disks) {
        this.nodes = nodes;
        this.network = network;
        this.watch = watch;
        this.partitions = partitions;
        this.kinds = List.copyOf(kinds);
        this.disks = disks;
    }

    FaultRecord inject(int cycle) throws IOException, InterruptedException {
        String kind = kinds.get((cycle - 1) % kinds.size());
        int partition = leaderElsewhere((cycle - 1) % partitions);
        return switch (kind) {
            case "kill-leader" -> killOne(cycle, kind, () -> watch.leader(partition), () -> watch.leader(partition));
            case "kill-controller" -> killOne(cycle, kind, watch::controller, watch::controller);
            case "kill-two" -> killTwo(cycle);
            case "pause-leader" -> pause(cycle, partition);
            case "disk-full" -> diskFull(cycle, partition);
            case "slow-disk" -> slowDisk(cycle, partition);
            default -> partition(cycle, partition);
        };
    }

    private FaultRecord killOne(int cycle, String kind, IntSupplier target, IntSupplier after)
            throws IOException, InterruptedException {
        int node = awaitNode(target);
        long injected = System.currentTimeMillis();
        nodes.signal(node, "KILL");
        log.info("cycle {}: {} killed node {}", cycle, kind, node);
        long failover = awaitOther(after, node, injected);
        long healed = System.currentTimeMillis();
        long recovered = recover();
        return new FaultRecord(cycle, kind, Integer.toString(node), injected, healed, recovered, failover);
    }

    private FaultRecord killTwo(int cycle) throws IOException, InterruptedException {
        int first = 1 + (cycle / kinds.size()) % Topology.NODES;
        int second = 1 + first % Topology.NODES;
        long injected = System.currentTimeMillis();
        nodes.signal(first, "KILL");
        nodes.signal(second, "KILL");
        log.info("cycle {}: kill-two killed nodes {} and {}", cycle, first, second);
        // Varve's lone survivor is downed by the split-brain resolver meanwhile and rejoins in its
        // JVM (varve.cluster.rejoin-after-down); Kafka's keeps running
        Thread.sleep(TWO_DOWN_MS);
        long healed = System.currentTimeMillis();
        long recovered = recover();
        return new FaultRecord(cycle, "kill-two", first + "+" + second, injected, healed, recovered, -1);
    }

    private FaultRecord pause(int cycle, int partition) throws IOException, InterruptedException {
        int node = awaitNode(() -> watch.leader(partition));
        long injected = System.currentTimeMillis();
        nodes.signal(node, "STOP");
        log.info("cycle {}: pause-leader stopped node {} (leader of {})", cycle, node, partition);
        long failover;
        try {
            failover = awaitOther(() -> watch.leader(partition), node, injected);
            Thread.sleep(Math.max(0, injected + PAUSE_MS - System.currentTimeMillis()));
        } finally {
            nodes.signal(node, "CONT");
        }
        long healed = System.currentTimeMillis();
        log.info("cycle {}: node {} resumed", cycle, node);
        long recovered = recover();
        return new FaultRecord(cycle, "pause-leader", Integer.toString(node), injected, healed, recovered, failover);
    }

    private FaultRecord partition(int cycle, int partition) throws IOException, InterruptedException {
        int node = awaitNode(() -> watch.leader(partition));
        long injected = System.currentTimeMillis();
        network.isolate(node);
        log.info("cycle {}: partition-leader isolated node {} (leader of {})", cycle, node, partition);
        long failover;
        try {
            failover = awaitOther(() -> watch.leader(partition), node, injected);
            Thread.sleep(Math.max(0, injected + PARTITION_MS - System.currentTimeMillis()));
        } finally {
            network.heal();
        }
        long healed = System.currentTimeMillis();
        log.info("cycle {}: network healed", cycle);
        long recovered = recover();
        return new FaultRecord(
                cycle, "partition-leader", Integer.toString(node), injected, healed, recovered, failover);
    }

    /**
     * Fills the data directory (a tmpfs) of a leader's node to the last byte while the workloads write:
     * the node's next write fails with ENOSPC. Varve and Kafka (one log directory each) then stop the
     * node; the leaderships move. After {@link #DISK_FULL_MS}, or once the node stopped if later, the
     * filler is removed and the node started again.
     */
    private FaultRecord diskFull(int cycle, int partition) throws IOException, InterruptedException {
        int node = awaitNode(() -> watch.leader(partition));
        disks.fill(nodes.dataDir(node)); // seconds on a loaded machine: the fault starts once the disk is full
        long injected = System.currentTimeMillis();
        log.info("cycle {}: disk-full filled the data directory of node {} (leader of {})", cycle, node, partition);
        long failover;
        try {
            failover = awaitOther(() -> watch.leader(partition), node, injected);
            long deadline = injected + FAILOVER_DEADLINE_MS;
            while (nodes.isRunning(node) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            if (nodes.isRunning(node)) {
                log.warn(
                        "cycle {}: node {} still runs {} ms after its disk filled up",
                        cycle,
                        node,
                        FAILOVER_DEADLINE_MS);
            }
            Thread.sleep(Math.max(0, injected + DISK_FULL_MS - System.currentTimeMillis()));
        } finally {
            disks.free(nodes.dataDir(node));
        }
        long healed = System.currentTimeMillis();
        log.info("cycle {}: freed the data directory of node {}", cycle, node);
        long recovered = recover();
        return new FaultRecord(cycle, "disk-full", Integer.toString(node), injected, healed, recovered, failover);
    }

    /**
     * Caps the reads and writes of a leader's disk at {@link #SLOW_DISK_BYTES_PER_SECOND} for {@link
     * #SLOW_DISK_MS}: page-cache writes pile up, then writers wait for writeback and every fsync takes
     * seconds. Nothing is lost; the node may fall out of ISRs or lose its leaderships (the failover
     * time, when the leader moved, is recorded; -1 when it did not).
     */
    private FaultRecord slowDisk(int cycle, int partition) throws IOException, InterruptedException {
        int node = awaitNode(() -> watch.leader(partition));
        long injected = System.currentTimeMillis();
        disks.slow(nodes.dataDir(node), SLOW_DISK_BYTES_PER_SECOND);
        log.info("cycle {}: slow-disk slowed the data directory of node {} (leader of {})", cycle, node, partition);
        long failover = -1;
        try {
            while (System.currentTimeMillis() < injected + SLOW_DISK_MS) {
                int leader = watch.leader(partition);
                if (failover < 0 && leader > 0 && leader != node) {
                    failover = System.currentTimeMillis() - injected;
                }
                Thread.sleep(200);
            }
        } finally {
            disks.slow(nodes.dataDir(node), 0);
        }
        long healed = System.currentTimeMillis();
        log.info("cycle {}: the disk of node {} is fast again", cycle, node);
        long recovered = recover();
        return new FaultRecord(cycle, "slow-disk", Integer.toString(node), injected, healed, recovered, failover);
    }

    /**
     * From {@code first} on, the first partition whose leader is not the controller's node, so that
     * a leader fault is not also a controller fault (kill-controller covers that); {@code first} when
     * every leader is there or the cluster cannot say.
     */
    private int leaderElsewhere(int first) {
        int controller = watch.controller();
        for (int i = 0; i < partitions; i++) {
            int partition = (first + i) % partitions;
            int leader = watch.leader(partition);
            if (leader > 0 && leader != controller) {
                return partition;
            }
        }
        return first;
    }

    /** The node {@code target} names, waiting for the cluster to name one. */
    private int awaitNode(IntSupplier target) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + RECOVERY_DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            int node = target.getAsInt();
            if (node > 0 && nodes.isRunning(node)) {
                return node;
            }
            Thread.sleep(200);
        }
        throw new IOException("the cluster named no live target in " + RECOVERY_DEADLINE_MS + " ms");
    }

    /** Milliseconds from {@code since} until {@code after} names a live node other than {@code old}; -1 if never. */
    private long awaitOther(IntSupplier after, int old, long since) throws InterruptedException {
        while (System.currentTimeMillis() - since < FAILOVER_DEADLINE_MS) {
            int now = after.getAsInt();
            if (now > 0 && now != old) {
                return System.currentTimeMillis() - since;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    /**
     * Starts every node that is not running (a killed node, or one the split-brain resolver downed)
     * until every partition is led and fully in sync; the time then, or -1 past the deadline.
     */
    long recover() throws InterruptedException {
        long deadline = System.currentTimeMillis() + RECOVERY_DEADLINE_MS;
        while (System.currentTimeMillis() < deadline) {
            boolean allRunning = true;
            for (int node = 1; node <= Topology.NODES; node++) {
                allRunning &= nodes.isRunning(node);
            }
            if (!allRunning) {
                try {
                    nodes.startMissing();
                } catch (IOException e) {
                    log.warn("starting the missing nodes failed (tried again): {}", e.getMessage());
                }
                continue;
            }
            if (watch.fullyReplicated(partitions)) {
                return System.currentTimeMillis();
            }
            Thread.sleep(250);
        }
        log.warn("the cluster did not recover in {} ms: {}", RECOVERY_DEADLINE_MS, watch.describe());
        return -1;
    }
}
