package io.varve.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Apache Kafka's own command-line tools (4.3.1, with the kafka-clients it was built
 * against) in a child JVM, from the classpath file the {@code kafka-tools} module writes.
 */
public final class KafkaTools {
    private static final long TIMEOUT_SECONDS = 120;

    private KafkaTools() {}

    /** What a tool printed on stdout and on stderr (its logging), and its exit code. */
    public record Run(int exitCode, String output, String errors) {
        public List<String> lines() {
            return output.lines().toList();
        }

        /** Both streams, for assertion messages. */
        public String describe() {
            return "exit " + exitCode + "\n--- stdout\n" + output + "--- stderr\n" + errors;
        }
    }

    public static Run run(String mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                Files.readString(classpathFile()).trim(),
                mainClass));
        command.addAll(List.of(args));
        Path errors = Files.createTempFile("kafka-tool", ".stderr");
        try {
            Process process =
                    new ProcessBuilder(command).redirectError(errors.toFile()).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(mainClass + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return new Run(
                    process.exitValue(),
                    new String(output, StandardCharsets.UTF_8),
                    Files.readString(errors, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    private static Path classpathFile() {
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kafka-tools/target/kafka-tools.classpath");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("kafka-tools/target/kafka-tools.classpath not found above " + here
                + ": the kafka-tools module writes it before the it module's tests");
    }
}
