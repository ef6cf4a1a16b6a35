package io.varve.storage.log;

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
 * Apache Kafka's own {@code kafka-dump-log} (DumpLogSegments, 4.3.1, in a child JVM with its own
 * kafka-clients) reads Varve's segments, indexes and producer snapshots: every record with its
 * offset, the index sanity checks, and the snapshot entries.
 */
class KafkaDumpLogCompatibilityTest {
    private static final long PID = 4242L;
    private static final List<Compression> CODECS = List.of(
            Compression.NONE,
            Compression.gzip().build(),
            Compression.snappy().build(),
            Compression.lz4().build(),
            Compression.zstd().build());

    @TempDir
    Path root;

    @Test
    void kafkaDumpLogReadsEverySegmentIndexAndSnapshot() throws Exception {
        LogFixture fx = new LogFixture(root)
                .with(TopicConfig.SEGMENT_BYTES_CONFIG, 1024 * 1024)
                .with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 256);
        PartitionLog log = fx.open();
        List<String> expected = new ArrayList<>();
        int sequence = 0;
        for (int round = 0; round < 3; round++) {
            for (Compression codec : CODECS) {
                String prefix = "r" + round + codec.type().name;
                long first = log.logEndOffset();
                log.appendAsLeader(Batches.batch(codec, prefix, 4, fx.clock.millis()), 3);
                for (int i = 0; i < 4; i++) {
                    expected.add((first + i) + ":" + prefix + "-" + i);
                }
                fx.clock.advance(10);
                String idem = "p" + round + codec.type().name;
                first = log.logEndOffset();
                log.appendAsLeader(Batches.idempotent(codec, PID, (short) 1, sequence, idem, 3, fx.clock.millis()), 3);
                sequence += 3;
                for (int i = 0; i < 3; i++) {
                    expected.add((first + i) + ":" + idem + "-" + i);
                }
                fx.clock.advance(10);
            }
            log.roll();
        }
        log.close();

        List<Path> logs = files(fx.dir, ".log");
        assertThat(logs).hasSize(4);
        String dump = dumpLog("--deep-iteration", "--print-data-log", "--files", join(logs));

        assertThat(recordsIn(dump)).containsExactlyElementsOf(expected);
        assertThat(dump).doesNotContain("isvalid: false");
        assertThat(dump).contains("producerId: " + PID + " producerEpoch: 1", "compresscodec: zstd");

        List<Path> indexes = files(fx.dir, ".index");
        indexes.addAll(files(fx.dir, ".timeindex"));
        String indexDump = dumpLog("--verify-index-only", "--files", join(indexes));
        assertThat(indexDump).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("not in order");
        String entries = dumpLog("--files", join(files(fx.dir, ".index")));
        assertThat(indexEntriesIn(entries)).isNotEmpty().containsExactlyElementsOf(ourIndexEntries(fx));

        String snapshots = dumpLog("--files", join(files(fx.dir, ".snapshot")));
        assertThat(snapshots).contains("producerId: " + PID + " producerEpoch: 1");
        assertThat(snapshots).contains("lastSequence: " + (sequence - 1));
    }

    @Test
    void kafkaDumpLogReadsTransactionMarkersAndTheTxnIndex() throws Exception {
        LogFixture fx = new LogFixture(root);
        PartitionLog log = fx.open();
        long pidA = 7001L;
        long pidB = 7002L;
        log.appendAsLeader(Batches.transactional(pidA, (short) 3, 0, "a", 2, fx.clock.millis()), 1); // 0..1
        log.appendAsLeader(Batches.transactional(pidB, (short) 0, 0, "b", 2, fx.clock.millis()), 1); // 2..3
        log.appendTxnMarker(pidA, (short) 3, 6, false, 1, (short) 1); // abort at 4
        log.appendTxnMarker(pidB, (short) 0, 6, true, 1, (short) 1); // commit at 5
        log.close();

        String dump = dumpLog("--deep-iteration", "--files", join(files(fx.dir, ".log")));
        assertThat(dump)
                .contains("producerId: " + pidA + " producerEpoch: 3 partitionLeaderEpoch: 1 isTransactional: true"
                        + " isControl: true")
                .contains("endTxnMarker: ABORT coordinatorEpoch: 6")
                .contains("endTxnMarker: COMMIT coordinatorEpoch: 6")
                .doesNotContain("isvalid: false");
        String index = dumpLog("--files", join(files(fx.dir, ".txnindex")));
        assertThat(index)
                .contains("version: 0 producerId: " + pidA + " firstOffset: 0 lastOffset: 4 lastStableOffset: 2");
        String snapshot = dumpLog("--files", join(files(fx.dir, ".snapshot")));
        assertThat(snapshot)
                .contains("producerId: " + pidA + " producerEpoch: 3")
                .contains("coordinatorEpoch: 6");
    }

    private static final Pattern INDEX_ENTRY = Pattern.compile("^offset: (\\d+) position: (\\d+)$");

    private static List<String> indexEntriesIn(String dump) {
        List<String> out = new ArrayList<>();
        for (String line : dump.split("\n")) {
            Matcher m = INDEX_ENTRY.matcher(line.trim());
            if (m.find()) {
                out.add(m.group(1) + "@" + m.group(2));
            }
        }
        return out;
    }

    /** The offset-index entries as Varve reads them back, in segment order. */
    private static List<String> ourIndexEntries(LogFixture fx) throws IOException {
        List<String> out = new ArrayList<>();
        PartitionLog reopened = fx.reopenClean0();
        for (LogSegment segment : reopened.segments()) {
            for (int i = 0; i < segment.offsetIndex().entries(); i++) {
                var entry = segment.offsetIndex().entry(i);
                out.add(entry.offset() + "@" + entry.position());
            }
        }
        reopened.close();
        return out;
    }

    private static final Pattern RECORD = Pattern.compile("\\| offset: (\\d+) .*payload: (\\S+)");

    private static List<String> recordsIn(String dump) {
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

    /** Runs kafka-dump-log with Kafka's own classpath and returns what it printed. */
    static String dumpLog(String... args) throws IOException, InterruptedException {
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

    static Path kafkaToolsClasspathFile() {
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
