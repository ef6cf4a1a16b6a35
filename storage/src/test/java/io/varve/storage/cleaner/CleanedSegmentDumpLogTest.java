package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.KafkaDumpLog;
import java.nio.file.Path;
import java.util.List;
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
        List<Path> liveIndexes = KafkaDumpLog.files(c.dir, ".index");
        liveIndexes.remove(liveIndexes.size() - 1);
        String live = KafkaDumpLog.run("--verify-index-only", "--files", KafkaDumpLog.join(liveIndexes));
        assertThat(live).doesNotContainIgnoringCase("mismatch").doesNotContainIgnoringCase("exception");
        c.log.close();

        String dump = KafkaDumpLog.run(
                "--deep-iteration",
                "--print-data-log",
                "--files",
                KafkaDumpLog.join(KafkaDumpLog.files(c.dir, ".log")));
        assertThat(dump).doesNotContain("isvalid: false").contains("isvalid: true");
        assertThat(KafkaDumpLog.records(dump)).containsExactlyElementsOf(expected);
        assertThat(dump).contains("deleteHorizonMs: OptionalLong[" + (c.clock.millis() + 86_400_000L) + "]");

        List<Path> indexes = KafkaDumpLog.files(c.dir, ".index");
        indexes.addAll(KafkaDumpLog.files(c.dir, ".timeindex"));
        String check = KafkaDumpLog.run("--verify-index-only", "--files", KafkaDumpLog.join(indexes));
        assertThat(check)
                .doesNotContainIgnoringCase("mismatch")
                .doesNotContainIgnoringCase("not in order")
                .doesNotContainIgnoringCase("exception");
        String entries = KafkaDumpLog.run("--files", KafkaDumpLog.join(KafkaDumpLog.files(c.dir, ".index")));
        assertThat(entries).containsPattern("offset: \\d+ position: \\d+");
    }
}
