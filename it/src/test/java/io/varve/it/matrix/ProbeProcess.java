package io.varve.it.matrix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One run of a client program (a probe script, kcat, a child JVM) owned by the test thread that
 * started it: stdout and stderr go to files, never to pipes the child could block on, and the test
 * reads them while it runs (to wait for a {@code ready} line) and once it ended.
 */
final class ProbeProcess implements ProbeRun {
    private final List<String> command;
    private final Process process;
    private final Path out;
    private final Path err;

    private ProbeProcess(List<String> command, Process process, Path out, Path err) {
        this.command = command;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code command} with {@code stdin} as its whole input. */
    static ProbeProcess start(List<String> command, String stdin) throws IOException {
        Path out = Files.createTempFile("probe-", ".out");
        Path err = Files.createTempFile("probe-", ".err");
        Path in = Files.createTempFile("probe-", ".in");
        Files.writeString(in, stdin);
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(in.toFile())
                .start();
        Files.delete(in);
        return new ProbeProcess(List.copyOf(command), process, out, err);
    }

    @Override
    public String stdoutSoFar() throws IOException {
        return Files.readString(out);
    }

    private String stderrSoFar() throws IOException {
        return Files.readString(err);
    }

    @Override
    public Result await(Duration timeout) throws IOException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(
                    "did not finish within " + timeout + ": " + new Result(command, -1, stdoutSoFar(), stderrSoFar()));
        }
        return new Result(command, process.exitValue(), stdoutSoFar(), stderrSoFar());
    }

    /** Ends it if it still runs (a failed test), then removes its output files. */
    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}
