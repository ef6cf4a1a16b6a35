package io.varve.chaos;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The campaign's command line.
 *
 * @param cycles faults to inject (one a cycle)
 * @param out where every log, the cluster's data and the report go
 * @param repository the Varve checkout whose bin/varve starts the nodes
 * @param portBase the first of the 50 ports the campaign uses ({@link Topology})
 * @param partitions partitions of the campaign's topic
 * @param producers producers on each client side
 * @param rate records a second each producer sends
 * @param maxMinutes stop injecting after this long even when cycles remain
 * @param nodeJavaOpts JVM options of every node
 * @param system {@code varve}, or {@code kafka} for the same campaign against Apache Kafka
 * @param checkOnly only finish an earlier run in {@code out}: restart, read, compare, check
 * @param faults the fault kinds the cycles go through, in order ({@code --faults a,b}; all of {@link
 *     FaultInjector#KINDS} by default, of which the campaign leaves out the disk faults where the
 *     machine refuses their mounts)
 * @param diskMb the size of each node's data disk (ext4 image or tmpfs) when {@code disk-full} or {@code
 *     slow-disk} is among the faults
 */
record CampaignOptions(
        int cycles,
        Path out,
        Path repository,
        int portBase,
        int partitions,
        int producers,
        double rate,
        long maxMinutes,
        String nodeJavaOpts,
        String system,
        boolean checkOnly,
        List<String> faults,
        int diskMb) {

    static CampaignOptions parse(String[] args) {
        int cycles = 5;
        Path out = null;
        Path repository = Path.of(".");
        int portBase = 19700;
        int partitions = 6;
        int producers = 2;
        double rate = 40;
        long maxMinutes = 24 * 60;
        String javaOpts = "-Xmx512m";
        String system = "varve";
        boolean checkOnly = false;
        List<String> faults = List.of(FaultInjector.KINDS);
        int diskMb = 256;
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--check-only")) {
                checkOnly = true;
                i--;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(v);
                case "--out" -> out = Path.of(v);
                case "--repository" -> repository = Path.of(v);
                case "--port-base" -> portBase = Integer.parseInt(v);
                case "--partitions" -> partitions = Integer.parseInt(v);
                case "--producers" -> producers = Integer.parseInt(v);
                case "--rate" -> rate = Double.parseDouble(v);
                case "--max-minutes" -> maxMinutes = Long.parseLong(v);
                case "--node-java-opts" -> javaOpts = v;
                case "--system" -> system = v;
                case "--faults" -> faults = faults(v);
                case "--disk-mb" -> diskMb = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out DIR is required");
        }
        return new CampaignOptions(
                cycles,
                out.toAbsolutePath(),
                repository.toAbsolutePath(),
                portBase,
                partitions,
                producers,
                rate,
                maxMinutes,
                javaOpts,
                system,
                checkOnly,
                faults,
                diskMb);
    }

    /** {@code kill-leader,partition-leader}: known kinds only, at least one. */
    private static List<String> faults(String list) {
        List<String> kinds = Arrays.stream(list.split(","))
                .map(String::trim)
                .filter(k -> !k.isEmpty())
                .toList();
        List<String> known = List.of(FaultInjector.KINDS);
        for (String kind : kinds) {
            if (!known.contains(kind)) {
                throw new IllegalArgumentException("unknown fault " + kind + " in --faults; known: " + known);
            }
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--faults names no fault");
        }
        return kinds;
    }
}
