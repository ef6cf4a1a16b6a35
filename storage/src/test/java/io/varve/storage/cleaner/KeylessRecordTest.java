package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.RecordError;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka's log validator rule: a compacted topic refuses records without a key, naming each one. */
class KeylessRecordTest {
    @TempDir
    Path root;

    @Test
    void aCompactedTopicRejectsABatchWithKeylessRecordsNamingEachOne() throws Exception {
        for (Compression compression :
                List.of(Compression.NONE, Compression.zstd().build())) {
            CompactedLog c = new CompactedLog(root.resolve(compression.type().name)).open();

            AppendResult result = c.log.appendAsLeader(batch(compression, "a", null, "c", null), 0);

            assertThat(result).isInstanceOfSatisfying(AppendResult.Rejected.class, rejected -> {
                assertThat(rejected.error()).isEqualTo(Errors.INVALID_RECORD);
                String why = "Compacted topic cannot accept message without key in topic partition changelog-0.";
                assertThat(rejected.recordErrors()).containsExactly(new RecordError(1, why), new RecordError(3, why));
                assertThat(rejected.message())
                        .startsWith("One or more records have been rejected due to 2 record errors in total");
            });
            assertThat(c.log.logEndOffset()).isZero();
        }
    }

    @Test
    void aTopicThatIsNotCompactedTakesKeylessRecords() throws Exception {
        CompactedLog c = new CompactedLog(root)
                .with(TopicConfig.CLEANUP_POLICY_CONFIG, "delete")
                .open();

        AppendResult result = c.log.appendAsLeader(batch(Compression.NONE, "a", null), 0);

        assertThat(result).isInstanceOf(AppendResult.Appended.class);
    }

    private static MemoryRecords batch(Compression compression, String... keys) {
        return CompactedLog.plainBatch(compression, CompactedLog.START_MS, keys);
    }
}
