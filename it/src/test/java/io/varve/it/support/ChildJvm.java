package io.varve.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Java main class in a child JVM (this JVM's {@code java}) with a given classpath: Kafka's own
 * tools, an older kafka-clients, or a Varve node that a test may {@code kill -9}. Output goes to
 * files, never to pipes a child could block on.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** What a finished child printed and its exit code. */
    public record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** Runs to completion with {@code stdin} as its input; fails the test if it outlives {@code timeout}. */
    public static Result run(
            String classpath,
            List<String> jvmOptions,
            String mainClass,
            List<String> args,
            String stdin,
            Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("child-", ".out");
        Path err = Files.createTempFile("child-", ".err");
        try {
            Process process = new ProcessBuilder(command(classpath, jvmOptions, mainClass, args))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(mainClass + " did not finish within " + timeout + "\n"
                        + new Result(-1, Files.readString(out), Files.readString(err)));
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Starts a long-running child whose stdout and stderr both go to {@code output}. */
    public static Process launch(
            String classpath, List<String> jvmOptions, String mainClass, List<String> args, Path output)
            throws IOException {
        return new ProcessBuilder(command(classpath, jvmOptions, mainClass, args))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
    }

    private static List<String> command(
            String classpath, List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        return command;
    }
}
