package io.varve.it.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A client program (a probe under {@code it/clients}) running beside a test: its standard output is
 * collected line by line on a reader thread as it is printed, so the test can wait for progress
 * while the program runs; its standard error goes to a file. Owned by the test thread.
 */
public final class LineProcess implements AutoCloseable {
    private final Process process;
    private final Path stderr;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private LineProcess(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        this.reader = new Thread(this::read, "line-process-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static LineProcess start(Path stderr, List<String> command) throws IOException {
        Files.createDirectories(stderr.getParent());
        Process process =
                new ProcessBuilder(command).redirectError(stderr.toFile()).start();
        return new LineProcess(process, stderr);
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (this) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended: what it printed is kept
        }
    }

    /** The lines printed so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    public synchronized long count(Predicate<String> matching) {
        return lines.stream().filter(matching).count();
    }

    /** Writes one line to the program's standard input. */
    public void send(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for the program to exit; its exit code, after every line it printed was read. */
    public int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("the program did not exit within " + seconds + " s: " + describe());
        }
        reader.join(10_000);
        return process.exitValue();
    }

    /** The last lines printed and what went to standard error, for an assertion's message. */
    public String describe() {
        List<String> all = lines();
        String err;
        try {
            err = Files.readString(stderr);
        } catch (IOException e) {
            err = e.toString();
        }
        return "last lines " + all.subList(Math.max(0, all.size() - 5), all.size()) + "; stderr: " + err;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
