package io.varve.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.it.support.BuildFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The fault campaign of issue 13, short, as CI runs it: {@code chaos/run.sh} (the very command of
 * docs/reliability.md) with four cycles, a {@code kill -9} of a partition leader, a network
 * partition of a leader from the other nodes (client side A cut off with it), a {@code SIGSTOP}
 * of a leader past the failure detector, and a {@code kill -9} of two nodes at once (the survivor
 * downs itself and restarts, the cluster is founded again); three real node processes ({@code bin/varve cluster start},
 * PostgreSQL) behind the campaign's TCP proxies, idempotent {@code acks=all} producers and tailing
 * consumers. It asserts the checker's verdict exactly: records were acknowledged, none was lost,
 * misplaced, duplicated or reordered, no consumer read a record the final log does not hold there, no
 * replica diverges, and each fault was injected, named a new leader (but kill-two, which leaves no
 * partition a majority) and recovered.
 *
 * <p>Smaller than the hand-run campaign where that weakens no check: three partitions (one leader per
 * node), one producer a client side at 20 records a second, a 384 MB node heap. The campaign uses 50
 * ports from a random free base in 20000-31950 (below the kernel's ephemeral ports, away from the
 * 19700-19799 of a hand-run campaign). Whatever happens, the nodes and PostgreSQL are stopped.
 */
class ChaosCampaignIT {
    /**
     * Named with {@code --faults}: the campaign's default adds {@code disk-full} and {@code slow-disk}
     * where it may mount file systems (as root, as CI runs), which CI leaves to hand-run campaigns.
     */
    private static final List<String> FAULTS = List.of("kill-leader", "partition-leader", "pause-leader", "kill-two");
    /** The campaign's own deadlines (4 minutes a recovery) end it well before this. */
    private static final long TIMEOUT_MINUTES = 15;

    private static final Pattern LAST_LINE = Pattern.compile(
            "cycles (\\d+) acked (\\d+) lost (\\d+) duplicated (\\d+) reordered (\\d+) divergent (\\d+)");
    private static final Pattern PRESENT = Pattern.compile("present (\\d+) misplaced (\\d+) phantom-reads (\\d+)");

    @Test
    void aShortCampaignLosesDuplicatesAndReordersNothing() throws Exception {
        Path out = BuildFiles.itTarget().resolve("ChaosCampaignIT");
        deleteRecursively(out);
        Files.createDirectories(out);
        int portBase = freePortBase();
        List<String> command = List.of(
                "bash",
                BuildFiles.repositoryRoot().resolve("chaos/run.sh").toString(),
                "--cycles",
                Integer.toString(FAULTS.size()),
                "--faults",
                String.join(",", FAULTS),
                "--partitions",
                "3",
                "--producers",
                "1",
                "--rate",
                "20",
                "--node-java-opts",
                "-Xmx384m",
                "--port-base",
                Integer.toString(portBase),
                "--out",
                out.toString());
        Path output = out.resolve("campaign.out");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        // the reactor built the chaos module and the node before this module
        builder.environment().put("CHAOS_SKIP_BUILD", "1");
        long started = System.nanoTime();
        Process campaign = builder.start();
        int exit;
        try {
            if (!campaign.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                throw new AssertionError(
                        "the campaign did not finish in " + TIMEOUT_MINUTES + " minutes:\n" + tail(output, 60));
            }
            exit = campaign.exitValue();
        } finally {
            stopEverything(campaign, out);
        }
        System.out.printf(
                "ChaosCampaignIT: %d cycles in %.0f s (port base %d)%n",
                FAULTS.size(), (System.nanoTime() - started) / 1e9, portBase);

        Path reportFile = out.resolve("report.txt");
        assertThat(reportFile)
                .as("the checker's report; campaign output:\n%s", tail(output, 60))
                .exists();
        String report = Files.readString(reportFile);
        System.out.print(report);
        Matcher verdict = LAST_LINE.matcher(report);
        Matcher present = PRESENT.matcher(report);
        assertThat(verdict.find()).as(report).isTrue();
        assertThat(present.find()).as(report).isTrue();
        assertThat(Long.parseLong(verdict.group(1))).as("cycles").isEqualTo(FAULTS.size());
        long acked = Long.parseLong(verdict.group(2));
        assertThat(acked).as("acknowledged records").isPositive();
        assertThat(Long.parseLong(verdict.group(3))).as("lost\n%s", report).isZero();
        assertThat(Long.parseLong(verdict.group(4)))
                .as("duplicated\n%s", report)
                .isZero();
        assertThat(Long.parseLong(verdict.group(5))).as("reordered\n%s", report).isZero();
        assertThat(Long.parseLong(verdict.group(6)))
                .as("divergent replicas\n%s", report)
                .isZero();
        assertThat(Long.parseLong(present.group(1))).as("records present").isGreaterThanOrEqualTo(acked);
        assertThat(Long.parseLong(present.group(2))).as("misplaced\n%s", report).isZero();
        assertThat(Long.parseLong(present.group(3)))
                .as("phantom reads\n%s", report)
                .isZero();
        assertThat(exit).as("the campaign's exit status:\n%s", tail(output, 60)).isZero();

        // faults.log: cycle kind target injectedMs healedMs recoveredMs failoverMs
        List<String[]> faults = Files.readAllLines(out.resolve("faults.log")).stream()
                .filter(line -> !line.isBlank())
                .map(line -> line.trim().split(" "))
                .toList();
        assertThat(faults).extracting(f -> f[1]).as("the faults injected").containsExactlyElementsOf(FAULTS);
        for (String[] fault : faults) {
            String line = String.join(" ", fault);
            assertThat(Long.parseLong(fault[5]))
                    .as("recovered (every node up, every partition led with its full ISR): %s", line)
                    .isGreaterThan(Long.parseLong(fault[3]));
            if (fault[1].equals("kill-two")) {
                assertThat(fault[2]).as("the two nodes hit: %s", line).matches("[1-3]\\+[1-3]");
                assertThat(Long.parseLong(fault[6]))
                        .as("no new leader while two of three are down: %s", line)
                        .isEqualTo(-1);
                continue;
            }
            assertThat(Integer.parseInt(fault[2])).as("the node hit: %s", line).isBetween(1, 3);
            assertThat(Long.parseLong(fault[6]))
                    .as("a new leader named within the campaign's 40 s: %s", line)
                    .isPositive();
        }
    }

    /**
     * Ends the campaign if it still runs (its workloads with it), resumes any node it left paused and
     * stops the cluster and PostgreSQL with {@code bin/varve cluster stop}; a no-op after a clean run.
     */
    private static void stopEverything(Process campaign, Path out) throws IOException, InterruptedException {
        if (campaign.isAlive()) {
            campaign.descendants().forEach(ProcessHandle::destroyForcibly);
            campaign.destroyForcibly().waitFor();
        }
        stopCluster(out);
    }

    private static void stopCluster(Path out) throws IOException, InterruptedException {
        Path cluster = out.resolve("cluster");
        if (!Files.isDirectory(cluster)) {
            return;
        }
        for (int node = 1; node <= 3; node++) {
            Path pidFile = cluster.resolve("node-" + node + ".pid");
            if (Files.exists(pidFile)) {
                String pid = Files.readString(pidFile).trim();
                new ProcessBuilder("kill", "-CONT", pid)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(30, TimeUnit.SECONDS);
            }
        }
        ProcessBuilder stop = new ProcessBuilder(
                        "bash", BuildFiles.repositoryRoot().resolve("bin/varve").toString(), "cluster", "stop")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        out.resolve("cluster-stop-by-test.out").toFile()));
        Map<String, String> env = new HashMap<>();
        env.put("VARVE_CLUSTER_DIR", cluster.toString());
        env.put("VARVE_SKIP_BUILD", "1");
        stop.environment().putAll(env);
        Process stopping = stop.start();
        if (!stopping.waitFor(5, TimeUnit.MINUTES)) {
            stopping.destroyForcibly();
        }
    }

    /** The first of 50 consecutive ports free on every local address, in 20000-31999. */
    private static int freePortBase() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = 20_000 + 50 * ThreadLocalRandom.current().nextInt(239);
            if (IntStream.range(base, base + 50).allMatch(ChaosCampaignIT::isFree)) {
                return base;
            }
        }
        throw new AssertionError("no 50 free consecutive ports in 20000-31999");
    }

    private static boolean isFree(int port) {
        // the wildcard address: taken when any address (127.0.0.1, a 127.77.S.N link) holds the port
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress((InetAddress) null, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file + ")";
            }
            List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
