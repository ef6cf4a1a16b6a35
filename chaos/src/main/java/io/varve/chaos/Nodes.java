package io.varve.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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

    /** The node's process id, or -1 when it does not run. */
    long pid(int node);

    /** Whether the node's process runs: a killed one not yet reaped by its parent (a zombie) does not. */
    default boolean isRunning(int node) {
        long pid = pid(node);
        return pid > 0 && !isGone(pid);
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
            awaitDead(pid);
        }
    }

    /**
     * Returns once process {@code pid} is gone or a zombie (dead, not yet reaped by its parent), or after
     * a minute. Not {@code ProcessHandle.onExit}: for a process that is not this JVM's child (a Varve
     * node, started by {@code bin/varve}) it polls with growing pauses and completed 1.8 s after the
     * kill of a lone {@code sleep} here, so a {@code kill-two} restarted Varve's nodes about 4 s later
     * than Kafka's, which are children.
     */
    static void awaitDead(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < deadline && !isGone(pid)) {
            Thread.sleep(10); // polling /proc, the only way to see another process's death
        }
    }

    /** Whether process {@code pid} is gone or a zombie (dead, not yet reaped by its parent), from /proc. */
    static boolean isGone(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return true;
        }
        int name = line.lastIndexOf(')'); // the state follows the command name: "pid (comm) S ..."
        return name > 0 && name + 2 < line.length() && line.charAt(name + 2) == 'Z';
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
