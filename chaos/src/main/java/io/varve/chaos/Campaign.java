package io.varve.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault campaign ({@code chaos/run.sh}): starts the proxy network and a three-node Varve cluster
 * behind it, creates the topic, starts the two client sides' workloads, injects a fault per cycle,
 * then stops the workloads, reads the whole topic, stops the cluster, compares the replicas and
 * prints the {@link Checker}'s verdict.
 *
 * <pre>
 *   Campaign --cycles N --out DIR --repository DIR [--port-base 19700] [--partitions 6]
 *            [--producers 2] [--rate 40] [--max-minutes M] [--node-java-opts "..."]
 *            [--system varve|kafka] [--faults kill-leader,...,slow-disk] [--disk-mb 256]
 * </pre>
 *
 * <p>Runs on the main thread; the JVM must resolve the node names through the campaign's hosts file
 * ({@code -Djdk.net.hosts.file=OUT/hosts-6}, as run.sh starts it).
 */
public final class Campaign {
    private static final Logger log = LoggerFactory.getLogger(Campaign.class);
    private static final String TOPIC = "chaos";

    private Campaign() {}

    public static void main(String[] args) throws Exception {
        CampaignOptions options = CampaignOptions.parse(args);
        int exit = run(options);
        System.exit(exit);
    }

    /**
     * Finishes a run whose campaign ended before its check (restarts the cluster behind the links,
     * waits for it to recover, reads, stops, compares, checks): {@code --check-only} with the run's
     * {@code --out}.
     */
    static int checkOnly(CampaignOptions o) throws Exception {
        Topology topology = new Topology(o.portBase());
        topology.writeHostsFiles(o.out());
        Nodes nodes = nodes(o, topology);
        try (ProxyNetwork network = ProxyNetwork.start(topology);
                ClusterWatch watch = new ClusterWatch(
                        topology.bootstrapServers(), TOPIC, o.system().equals("kafka"))) {
            try {
                FaultInjector faults = new FaultInjector(nodes, network, watch, o.partitions(), o.faults(), null);
                for (int attempt = 1; attempt <= 3 && faults.recover() < 0; attempt++) {
                    log.warn("the cluster has not recovered ({})", watch.describe());
                }
                finish(o, nodes);
            } finally {
                nodes.close();
            }
        }
        return verdict(o);
    }

    private static Nodes nodes(CampaignOptions o, Topology topology) throws IOException {
        Path clusterDir = o.out().resolve("cluster");
        return o.system().equals("kafka")
                ? new KafkaNodes(
                        clusterDir, topology, o.repository().resolve("bench/target/kafka.classpath"), o.nodeJavaOpts())
                : new VarveNodes(o.repository(), clusterDir, topology, "# written by the campaign\n", o.nodeJavaOpts());
    }

    /** Reads the whole topic, stops the cluster and compares the replicas. */
    private static void finish(CampaignOptions o, Nodes nodes) throws Exception {
        Topology topology = new Topology(o.portBase());
        Map<Integer, Long> ends = FinalLog.read(topology.bootstrapServers(), TOPIC, o.out());
        nodes.close();
        List<Path> dataDirs = IntStream.rangeClosed(1, Topology.NODES)
                .mapToObj(nodes::dataDir)
                .toList();
        ReplicaComparison.compare(dataDirs, TOPIC, ends, o.out());
    }

    private static int verdict(CampaignOptions o) throws IOException {
        try (PrintStream report =
                new PrintStream(Files.newOutputStream(o.out().resolve("report.txt")), true, StandardCharsets.UTF_8)) {
            Checker.Verdict verdict = Checker.check(o.out(), report);
            Files.readAllLines(o.out().resolve("report.txt")).stream()
                    .filter(l -> !l.startsWith("fault "))
                    .forEach(System.out::println);
            // a phantom read fails the run too: a consumer saw a record the cluster later lost
            return verdict.clean() ? 0 : 1;
        }
    }

    static int run(CampaignOptions o) throws Exception {
        if (o.checkOnly()) {
            return checkOnly(o);
        }
        Files.createDirectories(o.out());
        Topology topology = new Topology(o.portBase());
        topology.writeHostsFiles(o.out());
        Path clusterDir = o.out().resolve("cluster");
        List<Process> workloads = new ArrayList<>();
        Path stopFile = o.out().resolve("stop");
        Files.deleteIfExists(stopFile);
        Nodes nodes = nodes(o, topology);
        List<String> kinds = new ArrayList<>(o.faults());
        DiskFaults disks = null;
        if (kinds.contains("disk-full") || kinds.contains("slow-disk")) {
            disks = DiskFaults.mount(
                    IntStream.rangeClosed(1, Topology.NODES)
                            .mapToObj(nodes::dataDir)
                            .toList(),
                    o.diskMb());
            if (disks == null) {
                kinds.remove("disk-full");
            }
            if (disks == null || disks.slowRefused() != null) {
                kinds.remove("slow-disk");
            }
            if (kinds.isEmpty()) {
                throw new IOException("no fault left to inject: the disk faults need mounts this machine refused");
            }
        }
        log.info("faults, in this order: {}", kinds);
        try (ProxyNetwork network = ProxyNetwork.start(topology);
                ClusterWatch watch = new ClusterWatch(
                        topology.bootstrapServers(), TOPIC, o.system().equals("kafka"))) {
            try {
                log.info(
                        "starting the {} cluster in {}", nodes.system(), o.out().resolve("cluster"));
                nodes.startMissing();
                watch.createTopic(o.partitions());
                FaultInjector faults = new FaultInjector(nodes, network, watch, o.partitions(), kinds, disks);
                if (faults.recover() < 0) {
                    throw new IOException("the new topic never became fully replicated: " + watch.describe());
                }
                for (char side : new char[] {'A', 'B'}) {
                    workloads.add(startWorkload(o, topology, side, stopFile));
                }
                // faults start once every partition has taken records: a fault before the first
                // acknowledgement would have no gap to measure
                if (!watch.awaitRecords(o.partitions(), 300_000)) {
                    throw new IOException(
                            "the workloads wrote nothing to some partition in 300 s: " + watch.describe());
                }
                Thread.sleep(5_000);
                long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(o.maxMinutes());
                for (int cycle = 1; cycle <= o.cycles() && System.currentTimeMillis() < deadline; cycle++) {
                    // never break a cluster that has not recovered from the last fault: a partition
                    // whose ISR is still one node would go offline for a reason of the campaign's own
                    for (int attempt = 1; attempt <= 3 && faults.recover() < 0; attempt++) {
                        log.warn("cycle {} waits: the cluster has not recovered ({})", cycle, watch.describe());
                    }
                    FaultRecord fault = faults.inject(cycle);
                    Files.writeString(
                            o.out().resolve("faults.log"),
                            fault.line() + "\n",
                            StandardCharsets.US_ASCII,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    log.info("cycle {} done: {} ({})", cycle, fault.line(), watch.describe());
                    Thread.sleep(3_000);
                }
                Files.writeString(stopFile, "stop\n");
                for (Process workload : workloads) {
                    if (!workload.waitFor(300, TimeUnit.SECONDS)) {
                        log.error("a workload did not stop in 300 s; killing it (finding: a client hangs)");
                        workload.destroyForcibly().waitFor();
                    }
                }
                if (faults.recover() < 0) {
                    log.error("the cluster did not recover before the check: {}", watch.describe());
                }
                finish(o, nodes);
            } finally {
                Files.writeString(stopFile, "stop\n");
                workloads.forEach(Process::destroyForcibly);
                nodes.close();
                if (disks != null) {
                    disks.close();
                }
            }
        }
        return verdict(o);
    }

    private static Process startWorkload(CampaignOptions o, Topology topology, char side, Path stopFile)
            throws IOException {
        int source = side == 'A' ? Topology.SIDE_A : Topology.SIDE_B;
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Djdk.net.hosts.file=" + Topology.hostsPath(o.out(), source),
                "-cp",
                System.getProperty("java.class.path"),
                Workload.class.getName(),
                Character.toString(side),
                topology.bootstrapServers(),
                TOPIC,
                Integer.toString(o.partitions()),
                Integer.toString(o.producers()),
                Double.toString(o.rate()),
                o.out().toString(),
                stopFile.toString());
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(o.out().resolve("workload-" + side + ".out").toFile())
                .start();
    }
}
