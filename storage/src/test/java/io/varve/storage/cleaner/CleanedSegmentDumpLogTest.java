package io.varve.storage.cleaner;

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
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Kafka's own {@code kafka-dump-log} (4.3.1, in a child JVM on its own classpath) reads the
 * segments and indexes the cleaner wrote: every retained record at its offset, every batch valid, the
 * delete horizon on the tombstone's batch, and offset and time indexes that match the log.
 */
class CleanedSegmentDumpLogTest {
    @TempDir
    Path root;

    @Test
    void kafkaDumpLogReadsCleanedSegmentsAndTheirIndexes() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 128)
                .open();
        List<Compression> codecs = List.of(
                Compression.NONE,
                Compression.gzip().build(),
                Compression.lz4().build(),
                Compression.zstd().build());
        int sequence = 0;
        for (int round = 0; round < 4; round++) {
            for (Compression codec : codecs) {
                String[] pairs = new String[8];
                for (int k = 0; k < pairs.length; k++) {
                    pairs[k] = "k" + ((k * 3 + round) % 12) + "=r" + round + codec.type().name + k;
                }
                c.append(c.batch(codec, 9L, (short) 0, sequence, pairs));
                sequence += pairs.length;
                c.clock.advance(3);
            }
            c.put("gone" + round + "=x");
            c.put("gone" + round + "=");
            c.roll();
        }
        c.put("tail=1");
        c.clean(CompactedLog.cleaner(), CleanableRange.NO_CHECKPOINT);
        List<String> expected = c.records().stream()
                .filter(r -> !r.endsWith("=∅"))
                .map(r -> r.substring(0, r.indexOf(':')) + ":" + r.substring(r.indexOf('=') + 1))
                .toList();
        List<Path> liveIndexes = files(c.dir, ".index");
        liveIndexes.remove(liveIndexes.size() - 1);
        String live = dumpLog("--verify-index-only", "--files", join(liveIndexes));
        assertThat(live).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("exception");
        c.log.close();

        String dump = dumpLog("--deep-iteration", "--print-data-log", "--files", join(files(c.dir, ".log")));
        assertThat(dump).doesNotContain("isvalid: false").contains("isvalid: true");
        assertThat(valuedRecordsIn(dump)).containsExactlyElementsOf(expected);
        assertThat(dump).contains("deleteHorizonMs: OptionalLong[" + (c.clock.millis() + 86_400_000L) + "]");

        List<Path> indexes = files(c.dir, ".index");
        indexes.addAll(files(c.dir, ".timeindex"));
        String check = dumpLog("--verify-index-only", "--files", join(indexes));
        assertThat(check)
                .doesNotContainIgnoringCase("mismatch")
                .doesNotContainIgnoringCase("not in order")
                .doesNotContainIgnoringCase("exception");
        String entries = dumpLog("--files", join(files(c.dir, ".index")));
        assertThat(entries).containsPattern("offset: \\d+ position: \\d+");
    }

    private static final Pattern RECORD = Pattern.compile("\\| offset: (\\d+) .*payload: (\\S+)");

    private static List<String> valuedRecordsIn(String dump) {
        List<String> out = new ArrayList<>();
        for (String line : dump.split("\n")) {
            Matcher m = RECORD.matcher(line);
            if (m.find()) {
                out.add(m.group(1) + ":" + m.group(2));
            }
        }
        return out;
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> listing = Files.list(dir)) {
            return new ArrayList<>(
                    listing.filter(p -> p.toString().endsWith(suffix)).sorted().toList());
        }
    }

    private static String join(List<Path> files) {
        return String.join(",", files.stream().map(Path::toString).toList());
    }

    private static String dumpLog(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                Files.readString(kafkaToolsClasspathFile()).trim(),
                "org.apache.kafka.tools.DumpLogSegments"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(text).isZero();
        return text;
    }

    private static Path kafkaToolsClasspathFile() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("kafka-tools/target/kafka-tools.classpath");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("kafka-tools/target/kafka-tools.classpath not found: kafka-tools builds it first");
    }
}
