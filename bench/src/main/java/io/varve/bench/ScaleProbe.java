package io.varve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;

/**
 * The 10,000-partition check of a three-node Varve cluster ({@code bench/cluster-scale.sh}, issue 12):
 * creates {@code TOPICS} topics of {@code PARTITIONS} partitions each (replication factor 3), waits
 * until every node's own Metadata answer names all of them with a live leader, produces to and
 * consumes from a sample of partitions, then {@code kill -9}s the controller's node and waits until
 * every live node names a new live controller and a live leader for every partition, and until a
 * topic created after the hand-over reaches every live node. Prints {@code key=value} lines (times in
 * ms, sizes in bytes, RSS in KiB) for the script's table. {@code check} mode only waits until every
 * node names {@code EXPECTED} partitions, all led by live nodes (after the killed node restarted).
 *
 * <p>Usage: {@code ScaleProbe run CLUSTER_DIR FIRST_KAFKA_PORT TOPICS PARTITIONS TOPICS_PER_REQUEST} or
 * {@code ScaleProbe check CLUSTER_DIR FIRST_KAFKA_PORT EXPECTED}. Exits 1 when a step misses its deadline.
 */
public final class ScaleProbe {
    static final int NODES = 3;
    private static final long STEP_DEADLINE_MS = TimeUnit.MINUTES.toMillis(15);

    private final Path clusterDir;
    private final int firstPort;

    private ScaleProbe(Path clusterDir, int firstPort) {
        this.clusterDir = clusterDir;
        this.firstPort = firstPort;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println(
                    "usage: ScaleProbe run DIR PORT TOPICS PARTITIONS PER_REQUEST | check DIR PORT EXPECTED");
            System.exit(64);
        }
        ScaleProbe probe = new ScaleProbe(Path.of(args[1]), Integer.parseInt(args[2]));
        boolean ok = args[0].equals("check")
                ? probe.check(Integer.parseInt(args[3]))
                : probe.run(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Integer.parseInt(args[5]));
        System.exit(ok ? 0 : 1);
    }

    private boolean run(int topics, int partitions, int perRequest) throws Exception {
        int total = topics * partitions;
        Set<Integer> all = IntStream.rangeClosed(1, NODES).boxed().collect(Collectors.toSet());
        List<String> names = IntStream.range(0, topics)
                .mapToObj(i -> String.format("scale-%03d", i))
                .toList();
        try (Admin admin = admin(all)) {
            long start = System.nanoTime();
            for (int i = 0; i < topics; i += perRequest) {
                List<NewTopic> batch = names.subList(i, Math.min(topics, i + perRequest)).stream()
                        .map(name -> new NewTopic(name, partitions, (short) 3))
                        .toList();
                long batchStart = System.nanoTime();
                admin.createTopics(batch, new CreateTopicsOptions().timeoutMs(600_000))
                        .all()
                        .get(15, TimeUnit.MINUTES);
                log("created " + (i + batch.size()) + " topics (this request " + millisSince(batchStart) + " ms)");
            }
            print("create-ms", millisSince(start));
        }
        long ledStart = System.nanoTime();
        if (!awaitAllLed(all, all, total, Set.of())) {
            return false;
        }
        print("all-nodes-led-after-create-ms", millisSince(ledStart));
        reportMetadata(all);
        reportRss("before-kill");
        new SampleTraffic(bootstrap(all)).produceAndConsume(samplePartitions(names, partitions), "before");
        print("sample-before", "ok");

        int controller = NodeMetadata.ask(1, "127.0.0.1", firstPort, all).controllerId();
        Set<Integer> live = new HashSet<>(all);
        live.remove(controller);
        long pid = pid(controller);
        print("controller", controller);
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        log("kill -9 of node " + controller + " (pid " + pid + ", the controller's node)");
        if (!awaitAllLed(live, live, total, Set.of())) {
            return false;
        }
        print("handover-all-led-ms", millisSince(killedAt));
        reportMetadata(live);
        reportRss("after-handover");
        return afterHandover(live, names, partitions, total);
    }

    private boolean afterHandover(Set<Integer> live, List<String> names, int partitions, int total) throws Exception {
        String after = "scale-after-handover";
        long start = System.nanoTime();
        try (Admin admin = admin(live)) {
            admin.createTopics(List.of(new NewTopic(after, 6, (short) 2)), new CreateTopicsOptions().timeoutMs(120_000))
                    .all()
                    .get(3, TimeUnit.MINUTES);
        }
        if (!awaitAllLed(live, live, total + 6, Set.of(after))) {
            return false;
        }
        print("new-topic-on-every-live-node-ms", millisSince(start));
        SampleTraffic traffic = new SampleTraffic(bootstrap(live));
        traffic.produceAndConsume(samplePartitions(names, partitions), "after");
        traffic.produceAndConsume(List.of(new TopicPartition(after, 0), new TopicPartition(after, 5)), "after");
        print("sample-after", "ok");
        return true;
    }

    private boolean check(int expected) throws Exception {
        Set<Integer> all = IntStream.rangeClosed(1, NODES).boxed().collect(Collectors.toSet());
        long start = System.nanoTime();
        if (!awaitAllLed(all, all, expected, Set.of())) {
            return false;
        }
        print("restarted-node-complete-ms", millisSince(start));
        reportMetadata(all);
        reportRss("after-restart");
        return true;
    }

    /**
     * Polls every node in {@code asked} until each names {@code total} partitions, all led by a node of
     * {@code live}, a controller in {@code live}, and every topic of {@code mustName}.
     */
    private boolean awaitAllLed(Set<Integer> asked, Set<Integer> live, int total, Set<String> mustName)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + STEP_DEADLINE_MS;
        Map<Integer, NodeMetadata> last = new HashMap<>();
        Set<Integer> pending = new HashSet<>(asked);
        while (System.currentTimeMillis() < deadline) {
            for (int node : new ArrayList<>(pending)) {
                try {
                    NodeMetadata answer = NodeMetadata.ask(node, "127.0.0.1", port(node), live);
                    last.put(node, answer);
                    if (answer.partitions() == total
                            && answer.ledByLive() == total
                            && live.contains(answer.controllerId())
                            && answer.topicNames().containsAll(mustName)) {
                        pending.remove(node);
                        log("complete " + answer);
                    }
                } catch (IOException e) {
                    last.remove(node);
                }
            }
            if (pending.isEmpty()) {
                return true;
            }
            Thread.sleep(500); // polling interval of a by-hand probe, not synchronisation
        }
        System.err.println("deadline passed; last answers: " + last.values() + ", still waiting for " + pending);
        return false;
    }

    private void reportMetadata(Set<Integer> nodes) throws IOException {
        for (int node : nodes) {
            NodeMetadata answer = NodeMetadata.ask(node, "127.0.0.1", port(node), nodes);
            print("metadata-bytes-node-" + node, answer.bytes());
            print("metadata-ms-node-" + node, answer.micros() / 1000.0);
        }
    }

    private void reportRss(String when) throws IOException {
        for (int node = 1; node <= NODES; node++) {
            Path status = Path.of("/proc/" + pid(node) + "/status");
            if (Files.exists(status)) {
                String rss = Files.readAllLines(status).stream()
                        .filter(line -> line.startsWith("VmRSS:"))
                        .map(line -> line.replaceAll("\\D", ""))
                        .findFirst()
                        .orElse("?");
                print("rss-kib-" + when + "-node-" + node, rss);
            }
        }
    }

    private static List<TopicPartition> samplePartitions(List<String> names, int partitions) {
        List<TopicPartition> sample = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sample.add(new TopicPartition(names.get(i * 37 % names.size()), i * 53 % partitions));
        }
        return sample.stream().distinct().toList();
    }

    private long pid(int node) throws IOException {
        return Long.parseLong(
                Files.readString(clusterDir.resolve("node-" + node + ".pid")).trim());
    }

    private int port(int node) {
        return firstPort + node - 1;
    }

    private String bootstrap(Set<Integer> nodes) {
        return nodes.stream().sorted().map(n -> "127.0.0.1:" + port(n)).collect(Collectors.joining(","));
    }

    private Admin admin(Set<Integer> nodes) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(nodes),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 600_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 900_000));
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    static void print(String key, Object value) {
        System.out.println(key + "=" + value);
        System.out.flush();
    }

    static void log(String line) {
        System.err.println("scale-probe: " + line);
    }
}
