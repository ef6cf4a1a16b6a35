package io.varve.it.matrix;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * One run of a client's probe, owned by the test thread that started it: an OS process ({@link
 * ProbeProcess}) or, for the client the test JVM already holds, a thread ({@link InProcessRun}).
 */
interface ProbeRun extends AutoCloseable {
    /** What a finished run printed and its exit code. */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {
        List<String> lines() {
            return stdout.lines().toList();
        }

        @Override
        public String toString() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n"
                    + stderr;
        }
    }

    /** What it printed on stdout so far. */
    String stdoutSoFar() throws IOException;

    /** Waits for its end; fails the test (and ends the run) if it outlives {@code timeout}. */
    Result await(Duration timeout) throws IOException, InterruptedException;

    /** Ends it if it still runs (a failed test) and frees what it held. */
    @Override
    void close() throws IOException;
}
