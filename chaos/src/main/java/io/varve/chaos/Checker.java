package io.varve.chaos;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The campaign's verdict, from the files a run left in its output directory: the producers'
 * {@code acks-*.log}, the tailing consumers' {@code consumed-*.log}, the whole topic as read at the
 * end ({@code final.log}), the replica comparison ({@code divergent.log}) and the faults
 * ({@code faults.log}). Counts acknowledged records, records present, lost (acknowledged, absent),
 * misplaced (acknowledged at an offset that holds another record), duplicated (a record present more
 * than once), reordered (a producer's record below an earlier one of the same producer in a
 * partition), phantom reads (a consumer read at an offset what the final log does not hold there),
 * divergent replicas, and the unavailability of each fault: the longest time any partition went
 * without an acknowledgement while the fault lasted. Runs on its own too: {@code Checker OUT_DIR}.
 */
public final class Checker {
    /** What a run found; {@link #lastLine} is the campaign's last line. */
    record Verdict(
            int cycles,
            long acked,
            long present,
            long lost,
            long misplaced,
            long duplicated,
            long reordered,
            long phantomReads,
            long divergent) {
        /** Nothing lost, misplaced, duplicated, reordered or divergent, and no consumer read a phantom. */
        boolean clean() {
            return lost + misplaced + duplicated + reordered + phantomReads + divergent == 0;
        }

        String lastLine() {
            return "cycles " + cycles + " acked " + acked + " lost " + lost + " duplicated " + duplicated
                    + " reordered " + reordered + " divergent " + divergent;
        }
    }

    private Checker() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: Checker OUT_DIR");
            System.exit(64);
        }
        Verdict verdict = check(Path.of(args[0]), System.out);
        System.exit(verdict.clean() ? 0 : 1);
    }

    static Verdict check(Path out, PrintStream report) throws IOException {
        // final log: partition -> offset -> id
        Map<Integer, TreeMap<Long, String>> log = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("final.log"))) {
            String[] f = line.split(" ");
            log.computeIfAbsent(Integer.parseInt(f[0]), p -> new TreeMap<>()).put(Long.parseLong(f[1]), f[2]);
        }
        Map<String, List<Long>> where = new HashMap<>(); // id -> partition*2^40+offset of each copy
        long present = 0;
        long duplicated = 0;
        long reordered = 0;
        for (Map.Entry<Integer, TreeMap<Long, String>> partition : log.entrySet()) {
            Map<String, Long> lastSeq = new HashMap<>();
            for (Map.Entry<Long, String> record : partition.getValue().entrySet()) {
                String id = record.getValue();
                if (id.equals("?")) {
                    continue;
                }
                present++;
                List<Long> copies = where.computeIfAbsent(id, k -> new ArrayList<>(1));
                copies.add(record.getKey());
                if (copies.size() > 1) {
                    duplicated++;
                    report.println("duplicated " + id + " in partition " + partition.getKey() + " at " + copies);
                }
                int colon = id.lastIndexOf(':');
                String producer = id.substring(0, colon);
                long seq = Long.parseLong(id.substring(colon + 1));
                Long previous = lastSeq.put(producer, seq);
                if (previous != null && seq < previous) {
                    reordered++;
                    report.println("reordered " + id + " at " + partition.getKey() + "/" + record.getKey()
                            + " after seq " + previous);
                }
            }
        }
        // acknowledgements
        long acked = 0;
        long lost = 0;
        long misplaced = 0;
        Map<Integer, List<Long>> ackTimes = new HashMap<>();
        for (Path file : list(out, "acks-")) {
            String producer = file.getFileName().toString().replace("acks-", "").replace(".log", "");
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(" ");
                if (!f[0].equals("A")) {
                    continue;
                }
                acked++;
                int partition = Integer.parseInt(f[2]);
                long offset = Long.parseLong(f[3]);
                String id = producer + ":" + f[4];
                ackTimes.computeIfAbsent(partition, p -> new ArrayList<>()).add(Long.parseLong(f[1]));
                String atOffset = log.getOrDefault(partition, new TreeMap<>()).get(offset);
                if (id.equals(atOffset)) {
                    continue;
                }
                if (!where.containsKey(id)) {
                    lost++;
                    report.println(
                            "lost " + id + " acknowledged at " + partition + "/" + offset + " (now " + atOffset + ")");
                } else {
                    misplaced++;
                    report.println("misplaced " + id + " acknowledged at " + partition + "/" + offset + ", present at "
                            + where.get(id));
                }
            }
        }
        long phantomReads = phantomReads(out, log, report);
        long divergent = Files.exists(out.resolve("divergent.log"))
                ? Files.readAllLines(out.resolve("divergent.log")).stream()
                        .filter(l -> !l.isBlank())
                        .count()
                : 0;
        List<FaultRecord> faults = Files.exists(out.resolve("faults.log"))
                ? Files.readAllLines(out.resolve("faults.log")).stream()
                        .filter(l -> !l.isBlank())
                        .map(FaultRecord::parse)
                        .toList()
                : List.of();
        Unavailability.report(faults, ackTimes, report);
        Verdict verdict = new Verdict(
                faults.size(), acked, present, lost, misplaced, duplicated, reordered, phantomReads, divergent);
        report.println("present " + present + " misplaced " + misplaced + " phantom-reads " + phantomReads);
        report.println(verdict.lastLine());
        return verdict;
    }

    /** Records a tailing consumer read at an offset that the final log holds something else at. */
    private static long phantomReads(Path out, Map<Integer, TreeMap<Long, String>> log, PrintStream report)
            throws IOException {
        long phantom = 0;
        for (Path file : list(out, "consumed-")) {
            Set<String> seen = new HashSet<>();
            for (String line : Files.readAllLines(file)) {
                String[] f = line.split(" ");
                if (!f[0].equals("R") || !seen.add(f[1] + " " + f[2])) {
                    continue;
                }
                String read = f[3].endsWith(":") ? f[3].substring(0, f[3].length() - 1) : f[3];
                String now = log.getOrDefault(Integer.parseInt(f[1]), new TreeMap<>())
                        .get(Long.parseLong(f[2]));
                if (!read.equals(now)) {
                    phantom++;
                    report.println("phantom read by " + file.getFileName() + ": " + read + " at " + f[1] + "/" + f[2]
                            + " (final log: " + now + ")");
                }
            }
        }
        return phantom;
    }

    private static List<Path> list(Path out, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }
}
