package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.KafkaDumpLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

        List<Path> logs = KafkaDumpLog.files(fx.dir, ".log");
        assertThat(logs).hasSize(4);
        String dump = KafkaDumpLog.run("--deep-iteration", "--print-data-log", "--files", KafkaDumpLog.join(logs));

        assertThat(KafkaDumpLog.records(dump)).containsExactlyElementsOf(expected);
        assertThat(dump).doesNotContain("isvalid: false");
        assertThat(dump).contains("producerId: " + PID + " producerEpoch: 1", "compresscodec: zstd");

        List<Path> indexes = KafkaDumpLog.files(fx.dir, ".index");
        indexes.addAll(KafkaDumpLog.files(fx.dir, ".timeindex"));
        String indexDump = KafkaDumpLog.run("--verify-index-only", "--files", KafkaDumpLog.join(indexes));
        assertThat(indexDump).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("not in order");
        String entries = KafkaDumpLog.run("--files", KafkaDumpLog.join(KafkaDumpLog.files(fx.dir, ".index")));
        assertThat(indexEntriesIn(entries)).isNotEmpty().containsExactlyElementsOf(ourIndexEntries(fx));

        String snapshots = KafkaDumpLog.run("--files", KafkaDumpLog.join(KafkaDumpLog.files(fx.dir, ".snapshot")));
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

        String dump =
                KafkaDumpLog.run("--deep-iteration", "--files", KafkaDumpLog.join(KafkaDumpLog.files(fx.dir, ".log")));
        assertThat(dump)
                .contains("producerId: " + pidA + " producerEpoch: 3 partitionLeaderEpoch: 1 isTransactional: true"
                        + " isControl: true")
                .contains("endTxnMarker: ABORT coordinatorEpoch: 6")
                .contains("endTxnMarker: COMMIT coordinatorEpoch: 6")
                .doesNotContain("isvalid: false");
        String index = KafkaDumpLog.run("--files", KafkaDumpLog.join(KafkaDumpLog.files(fx.dir, ".txnindex")));
        assertThat(index)
                .contains("version: 0 producerId: " + pidA + " firstOffset: 0 lastOffset: 4 lastStableOffset: 2");
        String snapshot = KafkaDumpLog.run("--files", KafkaDumpLog.join(KafkaDumpLog.files(fx.dir, ".snapshot")));
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
}
