package io.varve.it.matrix;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link JavaClientProbe} run on a thread of the test JVM, for kafka-clients 4.4 which this JVM
 * already holds: the same program as in a child JVM without the JVM's start (about a second and a
 * half of CPU a run). Exit code 0 when the command returned, 1 with the stack trace on stderr when it
 * threw. Started and awaited by the test thread; the probe's own thread only writes the buffer.
 */
final class InProcessRun implements ProbeRun {
    private final List<String> command;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final StringWriter stderr = new StringWriter();
    private final FutureTask<Integer> task;
    private final Thread thread;

    private InProcessRun(List<String> command) {
        this.command = List.copyOf(command);
        PrintStream out = new PrintStream(stdout, true, StandardCharsets.UTF_8);
        this.task = new FutureTask<>(() -> {
            try {
                new JavaClientProbe(out).run(command.toArray(String[]::new));
                return 0;
            } catch (Exception | AssertionError e) {
                e.printStackTrace(new PrintWriter(stderr, true));
                return 1;
            }
        });
        this.thread = new Thread(task, "java-probe-" + command.get(0));
        thread.setDaemon(true);
    }

    /** Starts {@code JavaClientProbe} with {@code args} on a new thread. */
    static InProcessRun start(List<String> args) {
        InProcessRun run = new InProcessRun(args);
        run.thread.start();
        return run;
    }

    @Override
    public String stdoutSoFar() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Override
    public Result await(Duration timeout) throws InterruptedException {
        int exitCode;
        try {
            exitCode = task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            thread.interrupt();
            throw new AssertionError(
                    "did not finish within " + timeout + ": " + new Result(command, -1, stdoutSoFar(), ""));
        } catch (ExecutionException e) {
            throw new AssertionError("the probe's task failed", e.getCause());
        }
        return new Result(command, exitCode, stdoutSoFar(), stderr.toString());
    }

    @Override
    public void close() {
        if (thread.isAlive()) {
            thread.interrupt();
        }
    }
}
