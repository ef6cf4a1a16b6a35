package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.CorruptBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BatchValidatorTest {
    @TempDir
    Path root;

    static Stream<CorruptBatches.Kind> corruptions() {
        return CorruptBatches.all(LogFixture.START_MS).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptions")
    void everyCorruptionGetsItsErrorAndTheLogTakesTheNextValidBatch(CorruptBatches.Kind kind) throws IOException {
        LogFixture fx = new LogFixture(root);
        PartitionLog log = fx.open0();
        fx.append("before", 2);

        AppendResult result = log.appendAsLeader(kind.records(), 0);

        assertThat(result).isInstanceOf(AppendResult.Rejected.class);
        AppendResult.Rejected rejected = (AppendResult.Rejected) result;
        assertThat(rejected.error()).as(rejected.message()).isEqualTo(kind.expected());
        assertThat(rejected.message()).contains("orders-3");
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(fx.append("after", 3).firstOffset()).isEqualTo(2);
        assertThat(Batches.offsetsAndValues(log.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .containsExactly("0:before-0", "1:before-1", "2:after-0", "3:after-1", "4:after-2");
    }

    @Test
    void theCatalogueCoversEveryClassOfCorruption() {
        List<CorruptBatches.Kind> kinds = CorruptBatches.all(LogFixture.START_MS);
        assertThat(kinds).hasSizeGreaterThanOrEqualTo(47);
        assertThat(kinds.stream().map(CorruptBatches.Kind::expected).distinct())
                .containsExactlyInAnyOrder(
                        Errors.CORRUPT_MESSAGE,
                        Errors.INVALID_RECORD,
                        Errors.MESSAGE_TOO_LARGE,
                        Errors.UNSUPPORTED_COMPRESSION_TYPE,
                        Errors.INVALID_TIMESTAMP);
    }

    @Test
    void validBatchesOfEveryCodecAreAccepted() {
        LogFixture fx = new LogFixture(root);
        PartitionLog log = fx.open0();
        for (CompressionType codec : CompressionType.values()) {
            MemoryRecords records = MemoryRecords.readableRecords(CorruptBatches.valid(LogFixture.START_MS, 5, codec));
            assertThat(log.appendAsLeader(records, 0)).as(codec.name).isInstanceOf(AppendResult.Appended.class);
        }
        assertThat(log.logEndOffset()).isEqualTo(25);
    }

    @Test
    void aMalformedRecordIsNamedByItsIndex() {
        LogFixture fx = new LogFixture(root);
        PartitionLog log = fx.open0();
        CorruptBatches.Kind outOfOrder = kind("record offset deltas out of order");

        AppendResult.Rejected rejected = (AppendResult.Rejected) log.appendAsLeader(outOfOrder.records(), 0);

        assertThat(rejected.recordErrors()).extracting(RecordError::batchIndex).containsExactly(0);
        assertThat(rejected.recordErrors().get(0).message()).isEqualTo("offset delta 1 where 0 is expected");
        assertThat(rejected.message()).contains("record 0 of the batch is malformed");
    }

    @Test
    void timestampErrorsListEveryOffendingRecordOfACompressedBatch() {
        LogFixture fx = new LogFixture(root).with(TopicConfig.MESSAGE_TIMESTAMP_AFTER_MAX_MS_CONFIG, 1000);
        PartitionLog log = fx.open0();
        long now = fx.clock.millis();
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.lz4().build(),
                new SimpleRecord(now, value("ok")),
                new SimpleRecord(now + 5000, value("late-1")),
                new SimpleRecord(now, value("ok")),
                new SimpleRecord(now + 9000, value("late-3")));

        AppendResult.Rejected rejected = (AppendResult.Rejected) log.appendAsLeader(records, 0);

        assertThat(rejected.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(rejected.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1, 3);
        assertThat(rejected.recordErrors().get(0).message()).contains(String.valueOf(now + 5000));
    }

    @Test
    void aCompactedTopicRejectsRecordsWithoutKeys() {
        LogFixture fx = new LogFixture(root).with(TopicConfig.CLEANUP_POLICY_CONFIG, "compact");
        PartitionLog log = fx.open0();
        long now = fx.clock.millis();
        MemoryRecords records = MemoryRecords.withRecords(
                Compression.NONE,
                new SimpleRecord(now, "k".getBytes(StandardCharsets.UTF_8), value("keyed")),
                new SimpleRecord(now, null, value("keyless")));

        AppendResult.Rejected rejected = (AppendResult.Rejected) log.appendAsLeader(records, 0);

        assertThat(rejected.error()).isEqualTo(Errors.INVALID_RECORD);
        assertThat(rejected.recordErrors()).extracting(RecordError::batchIndex).containsExactly(1);
    }

    @Test
    void theHeaderMaxTimestampIsTheRecordsLargestAsKafkaSetsIt() throws IOException {
        LogFixture fx = new LogFixture(root);
        PartitionLog log = fx.open0();
        long now = fx.clock.millis();
        ByteBuffer buffer = MemoryRecords.withRecords(
                        Compression.NONE, new SimpleRecord(now - 10, value("a")), new SimpleRecord(now - 5, value("b")))
                .buffer();
        // a client claiming a max timestamp its records do not have, with a CRC that matches the claim
        MemoryRecords lying = MemoryRecords.readableRecords(buffer);
        lying.batches().iterator().next().setMaxTimestamp(TimestampType.CREATE_TIME, now + 1000);

        log.appendAsLeader(lying, 0);

        RecordBatch stored =
                log.readRecords(0, 1 << 20, Long.MAX_VALUE).batches().iterator().next();
        stored.ensureValid();
        assertThat(stored.maxTimestamp()).isEqualTo(now - 5);
    }

    private static CorruptBatches.Kind kind(String name) {
        return CorruptBatches.all(LogFixture.START_MS).stream()
                .filter(k -> k.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    private static byte[] value(String v) {
        return v.getBytes(StandardCharsets.UTF_8);
    }
}
