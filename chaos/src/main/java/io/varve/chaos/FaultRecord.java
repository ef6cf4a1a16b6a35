package io.varve.chaos;

/**
 * One injected fault as the campaign log records it ({@code faults.log}, one line each):
 *
 * <pre>
 *   cycle kind target injectedMs healedMs recoveredMs failoverMs
 * </pre>
 *
 * {@code target} names the node(s) hit ({@code 2}, {@code 1+3}); {@code healedMs} is when the fault
 * ended (the node restarted, resumed or the network mended); {@code recoveredMs} when every node ran
 * again with every partition led and fully in sync (-1: not within the deadline);
 * {@code failoverMs} how long after the injection the cluster named a new leader or controller
 * (-1: not measured for this kind, or never).
 *
 * @param cycle the cycle number, from 1
 */
record FaultRecord(
        int cycle, String kind, String target, long injectedMs, long healedMs, long recoveredMs, long failoverMs) {

    String line() {
        return cycle + " " + kind + " " + target + " " + injectedMs + " " + healedMs + " " + recoveredMs + " "
                + failoverMs;
    }

    static FaultRecord parse(String line) {
        String[] f = line.trim().split(" ");
        return new FaultRecord(
                Integer.parseInt(f[0]),
                f[1],
                f[2],
                Long.parseLong(f[3]),
                Long.parseLong(f[4]),
                Long.parseLong(f[5]),
                Long.parseLong(f[6]));
    }
}
