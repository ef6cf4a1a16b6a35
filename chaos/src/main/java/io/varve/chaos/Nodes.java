package io.varve.chaos;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The three broker processes of a campaign, of one system (Varve or Apache Kafka), configured to reach
 * each other and be reached through the campaign's {@link ProxyNetwork}. Signals go to the recorded
 * process ids only.
 *
 * <p>Used from the campaign's thread only.
 */
interface Nodes {
    /** "varve" or "kafka", for reports. */
    String system();

    /** Starts every node that is not running and returns once they all serve clients. */
    void startMissing() throws IOException, InterruptedException;

    /** Starts every node that is not running and returns without waiting for them to serve. */
    default void launchMissing() throws IOException, InterruptedException {
        startMissing();
    }

    /** The node's process id, or -1 when it does not run. */
    long pid(int node);

    default boolean isRunning(int node) {
        return pid(node) > 0;
    }

    /**
     * Whether a node left alone by the loss of the others stops by itself (Varve's split-brain
     * resolver downs a minority; a Kafka broker keeps running): after {@code kill-two} the campaign
     * then starts it again once it has stopped, as a process supervisor would.
     */
    default boolean minorityStops() {
        return false;
    }

    /** Where node {@code node} keeps its partition directories. */
    Path dataDir(int node);

    /** {@code kill -SIGNAL pid}; {@code KILL} returns once the process is gone. */
    default void signal(int node, String signal) throws IOException, InterruptedException {
        long pid = pid(node);
        if (pid <= 0) {
            throw new IllegalStateException("node " + node + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " exited with " + kill.exitValue());
        }
        if (signal.equals("KILL")) {
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        }
    }

    /** A clean stop (SIGTERM) of one node, waiting until it exited. */
    default void stop(int node) throws IOException, InterruptedException {
        long pid = pid(node);
        if (pid <= 0) {
            return;
        }
        signal(node, "TERM");
        ProcessHandle handle = ProcessHandle.of(pid).orElse(null);
        if (handle != null
                && !handle.onExit()
                        .completeOnTimeout(null, 60, java.util.concurrent.TimeUnit.SECONDS)
                        .thenApply(h -> h != null)
                        .join()) {
            signal(node, "KILL");
        }
    }

    /** Stops every node cleanly and whatever the system needs beside them. */
    void close() throws IOException, InterruptedException;
}
