package io.varve.chaos;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The unavailability window of each fault, from the producers' acknowledgement times: the longest
 * gap between two consecutive acknowledgements of one partition that overlaps the fault (from its
 * injection to the cluster's recovery, or to its healing when it never recovered), the maximum over
 * partitions. Reported per fault and per kind (median and maximum).
 */
final class Unavailability {
    private Unavailability() {}

    static void report(List<FaultRecord> faults, Map<Integer, List<Long>> ackTimes, PrintStream report) {
        Map<Integer, List<Long>> sorted = new TreeMap<>();
        ackTimes.forEach((p, times) -> {
            List<Long> copy = new ArrayList<>(times);
            Collections.sort(copy);
            sorted.put(p, copy);
        });
        Map<String, List<Long>> byKind = new TreeMap<>();
        for (FaultRecord fault : faults) {
            long window = window(fault, sorted);
            byKind.computeIfAbsent(fault.kind(), k -> new ArrayList<>()).add(window);
            report.println("fault " + fault.cycle() + " " + fault.kind() + " node " + fault.target()
                    + ": unavailable " + window + " ms, new leader/controller after " + fault.failoverMs()
                    + " ms, fault lasted " + (fault.healedMs() - fault.injectedMs()) + " ms, recovered "
                    + (fault.recoveredMs() < 0 ? "NEVER" : (fault.recoveredMs() - fault.injectedMs()) + " ms")
                    + " after injection");
        }
        byKind.forEach((kind, windows) -> {
            List<Long> s = new ArrayList<>(windows);
            Collections.sort(s);
            report.println("unavailability " + kind + ": faults " + s.size() + " median " + s.get(s.size() / 2)
                    + " ms max " + s.get(s.size() - 1) + " ms");
        });
    }

    /** Milliseconds; 0 when no partition was without acknowledgements longer than its usual pace. */
    static long window(FaultRecord fault, Map<Integer, List<Long>> sortedAckTimes) {
        long start = fault.injectedMs();
        long end = fault.recoveredMs() > 0 ? fault.recoveredMs() : fault.healedMs();
        long longest = 0;
        for (List<Long> times : sortedAckTimes.values()) {
            for (int i = 0; i + 1 < times.size(); i++) {
                long from = times.get(i);
                long to = times.get(i + 1);
                if (to > start && from < end) {
                    longest = Math.max(longest, to - from);
                }
            }
        }
        return longest;
    }
}
