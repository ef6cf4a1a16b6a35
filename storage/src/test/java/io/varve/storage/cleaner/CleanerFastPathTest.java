package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rewrite pass's fast paths ({@link LatestOffsets}: a dirty record decided by its bit instead of a
 * second map lookup, a batch with no bit set dropped without reading its records) leave exactly the files
 * and figures the plain path leaves: the same log is cleaned by a cleaner whose bits cover nothing (every
 * record looked up in the map, every batch filtered), one whose bits cover a few offsets, and one whose
 * bits cover the whole dirty range, and every segment and index file is compared byte for byte.
 */
class CleanerFastPathTest {
    @TempDir
    Path root;

    @Test
    void theFastPathsLeaveTheSameBytesAsLookingUpEveryKey() throws Exception {
        List<CompactedLog> logs = new ArrayList<>();
        long[] covers = {0, 7, Long.MAX_VALUE};
        for (int i = 0; i < covers.length; i++) {
            CompactedLog c = new CompactedLog(root.resolve("log" + i));
            fill(c);
            logs.add(c);
        }
        List<CleaningResult> first = new ArrayList<>();
        for (int i = 0; i < covers.length; i++) {
            first.add(logs.get(i).clean(cleaner(covers[i]), CleanableRange.NO_CHECKPOINT));
        }
        assertSameFilesAndFigures(logs, first);
        assertThat(logs.get(0).records())
                .as("what stays: the last value of each key, tombstones within their retention, markers")
                .contains("27:k0=v27-1", "37:k9=∅", "40:COMMIT(10)", "41:ABORT(20)")
                .doesNotContain("0:k0=v0-0");
        assertThat(first.get(2).stats().batchesDroppedUnread()).isPositive();
        assertThat(first.get(0).stats().batchesDroppedUnread()).isZero();

        for (CompactedLog c : logs) {
            more(c);
        }
        List<CleaningResult> second = new ArrayList<>();
        for (int i = 0; i < covers.length; i++) {
            second.add(logs.get(i).clean(cleaner(covers[i]), first.get(i).endOffset()));
        }
        assertSameFilesAndFigures(logs, second);
        assertThat(logs.get(0).batches())
                .as("the last batches of producers 5, 10 and 20 and the batch at the upper bound stay, emptied")
                .filteredOn(b -> b.countOrNull() == 0 && !b.isControlBatch())
                .extracting(RecordBatch::baseOffset)
                .containsExactly(30L, 31L, 33L, 50L);
    }

    private static Cleaner cleaner(long latestOffsetsMaxBits) {
        return new Cleaner(
                128L * 1024 * 1024,
                0.9,
                4 * 1024,
                1024 * 1024,
                new CleanerThrottler(Double.MAX_VALUE),
                latestOffsetsMaxBits);
    }

    /**
     * Plain batches (some superseded whole, some in part), keyless records written while the topic was not
     * compacted, an idempotent producer, tombstones, a committed and an aborted transaction, over segments.
     */
    private static void fill(CompactedLog c) throws Exception {
        c.with(TopicConfig.CLEANUP_POLICY_CONFIG, "delete").open();
        for (int b = 0; b < 6; b++) {
            c.put(
                    "k" + b + "=v" + (3 * b) + "-0",
                    "k" + (b + 1) + "=v" + (3 * b + 1) + "-0",
                    "k" + (b + 2) + "=v" + (3 * b + 2) + "-0"); // 0..17
            c.clock.advance(3);
        }
        c.append(keyless(c, "k3", null, null)); // 18..20: two keyless records
        c.log.close();
        c.with(TopicConfig.CLEANUP_POLICY_CONFIG, "compact").open();
        c.roll();
        c.append(c.batch(Compression.NONE, 5L, (short) 0, 0, "k1=p21", "k2=p22")); // 21..22
        c.append(c.batch(Compression.lz4().build(), 5L, (short) 0, 2, "k4=p23", "k5=p24")); // 23..24
        c.put("k6=v25", "k7=v26"); // 25..26
        c.put("k0=v27-1"); // 27
        c.roll();
        c.put("k8=v28", "k9=v29"); // 28..29
        c.append(c.batch(Compression.NONE, 5L, (short) 0, 4, "k1=p30")); // 30: producer 5's last batch
        c.txn(10L, 0, "k2=t31", "k3=t32"); // 31..32 committed
        c.txn(20L, 0, "k4=x33", "k5=x34"); // 33..34 aborted
        c.put("k8=v35", "k1=v36"); // 35..36: producer 5's last batch (30) is superseded, and stays empty
        c.put("k9="); // 37: tombstone
        c.put("k7=v38", "k5="); // 38..39
        c.marker(10L, true); // 40
        c.marker(20L, false); // 41
        c.roll();
        c.put("tail=1"); // 42, active
    }

    /**
     * More of the same keys after the first cleaning (the clean part is looked up, the dirty part has bits),
     * ending with a batch of keyless records: the last batch before the upper bound, which stays empty.
     */
    private static void more(CompactedLog c) throws Exception {
        c.clock.advance(10);
        c.put("k0=w43", "k1=w44");
        c.put("k2=w45", "k3=w46", "k2=w47");
        c.roll();
        c.put("k5=w48", "tail=2");
        c.log.close();
        c.with(TopicConfig.CLEANUP_POLICY_CONFIG, "delete").open();
        c.append(keyless(c, null, null));
        c.log.close();
        c.with(TopicConfig.CLEANUP_POLICY_CONFIG, "compact").open();
        c.roll();
        c.put("z=1");
    }

    private static MemoryRecords keyless(CompactedLog c, String... keys) {
        return CompactedLog.plainBatch(Compression.NONE, c.clock.millis(), keys);
    }

    private static void assertSameFilesAndFigures(List<CompactedLog> logs, List<CleaningResult> results)
            throws Exception {
        Map<String, byte[]> expected = files(logs.get(0).dir);
        assertThat(expected.keySet()).anyMatch(name -> name.endsWith(".log"));
        CleanerStats plain = results.get(0).stats();
        for (int i = 1; i < logs.size(); i++) {
            Map<String, byte[]> actual = files(logs.get(i).dir);
            assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
            for (String name : expected.keySet()) {
                assertThat(actual.get(name)).as(name).isEqualTo(expected.get(name));
            }
            CleanerStats stats = results.get(i).stats();
            assertThat(results.get(i).endOffset()).isEqualTo(results.get(0).endOffset());
            assertThat(stats.recordsRead()).isEqualTo(plain.recordsRead());
            assertThat(stats.bytesRead()).isEqualTo(plain.bytesRead());
            assertThat(stats.recordsWritten()).isEqualTo(plain.recordsWritten());
            assertThat(stats.bytesWritten()).isEqualTo(plain.bytesWritten());
            assertThat(stats.keylessRecords()).isEqualTo(plain.keylessRecords());
        }
        assertThat(plain.recordsWritten()).isLessThan(plain.recordsRead());
    }

    /** Every segment and index file of the log's directory, by name. */
    private static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.list(dir)) {
            for (Path path : paths.toList()) {
                String name = path.getFileName().toString();
                if (name.endsWith(".log")
                        || name.endsWith(".index")
                        || name.endsWith(".timeindex")
                        || name.endsWith(".txnindex")) {
                    files.put(name, Files.readAllBytes(path));
                }
            }
        }
        return files;
    }
}
