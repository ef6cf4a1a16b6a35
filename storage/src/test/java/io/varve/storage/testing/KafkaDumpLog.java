package io.varve.storage.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Apache Kafka's own {@code kafka-dump-log} ({@code DumpLogSegments}) run as a separate JVM on the classpath the
 * kafka-tools module writes, for tests that check Kafka reads what Varve wrote. Test code only; the caller's thread
 * waits for the tool.
 */
public final class KafkaDumpLog {
    private static final Pattern RECORD = Pattern.compile("\\| offset: (\\d+) .*payload: (\\S+)");

    private KafkaDumpLog() {}

    /** Runs the tool with {@code args} and returns what it printed; fails the test unless it exits 0. */
    public static String run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                Files.readString(classpathFile()).trim(),
                "org.apache.kafka.tools.DumpLogSegments"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    /** The {@code offset:payload} of every record a {@code --deep-iteration --print-data-log} dump lists. */
    public static List<String> records(String dump) {
        List<String> out = new ArrayList<>();
        for (String line : dump.split("\n")) {
            Matcher m = RECORD.matcher(line);
            if (m.find()) {
                out.add(m.group(1) + ":" + m.group(2));
            }
        }
        return out;
    }

    /** The files of {@code dir} whose names end with {@code suffix}, in name (so offset) order. */
    public static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return new ArrayList<>(
                    listing.filter(p -> p.toString().endsWith(suffix)).sorted().toList());
        }
    }

    /** {@code files} as the tool's comma-separated {@code --files} argument. */
    public static String join(List<Path> files) {
        return String.join(",", files.stream().map(Path::toString).toList());
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
                + ": the kafka-tools module builds it before storage's tests");
    }
}
