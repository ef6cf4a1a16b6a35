package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class LogConfigTest {

    @Test
    void defaultsAreKafkas() {
        LogConfig config = LogConfig.defaults();
        assertThat(config.segmentBytes()).isEqualTo(1 << 30);
        assertThat(config.segmentMs()).isEqualTo(604_800_000L);
        assertThat(config.segmentIndexBytes()).isEqualTo(10 * 1024 * 1024);
        assertThat(config.maxMessageBytes()).isEqualTo(1_048_588);
        assertThat(config.indexIntervalBytes()).isEqualTo(4096);
        assertThat(config.retentionMs()).isEqualTo(604_800_000L);
        assertThat(config.retentionBytes()).isEqualTo(-1L);
        assertThat(config.flushMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.fileDeleteDelayMs()).isEqualTo(60_000L);
        assertThat(config.messageTimestampType()).isEqualTo(TimestampType.CREATE_TIME);
        assertThat(config.messageTimestampAfterMaxMs()).isEqualTo(3_600_000L);
        assertThat(config.isDeleteRetention()).isTrue();
        assertThat(LogConfig.defaultValueString(TopicConfig.CLEANUP_POLICY_CONFIG))
                .isEqualTo("delete");
    }

    @Test
    void aMinCompactionLagAboveTheMaxIsRejectedAsKafkaRejectsIt() {
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(
                        TopicConfig.MIN_COMPACTION_LAG_MS_CONFIG, "60000",
                        TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "59999")))
                .isInstanceOf(ConfigException.class)
                .hasMessage(
                        "conflict topic config setting min.compaction.lag.ms (60000) > max.compaction.lag.ms (59999)");
    }

    @Test
    void aCompactedTopicRollsItsActiveSegmentWithinTheMaxCompactionLag() {
        Map<String, String> lag =
                Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000", TopicConfig.MAX_COMPACTION_LAG_MS_CONFIG, "60000");
        assertThat(LogConfig.fromMap(lag).maxSegmentMs()).as("not compacted").isEqualTo(600_000L);
        var compacted = new java.util.HashMap<>(lag);
        compacted.put(TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete");
        assertThat(LogConfig.fromMap(compacted).maxSegmentMs()).isEqualTo(60_000L);
        compacted.put(TopicConfig.SEGMENT_MS_CONFIG, "1000");
        assertThat(LogConfig.fromMap(compacted).maxSegmentMs())
                .as("segment.ms shorter")
                .isEqualTo(1_000L);
    }

    @Test
    void segmentBytesBelowOneMebibyteIsRejectedAsKafkaRejectsIt() {
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "1048575")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value 1048575 for configuration segment.bytes: Value must be at least 1048576");
    }

    @Test
    void unknownNamesAndBadValuesAreRejected() {
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of("segment.byte", "1")))
                .hasMessage("Unknown topic config name: segment.byte");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "Now")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("message.timestamp.type");
        assertThatThrownBy(() -> LogConfig.fromMap(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-2")))
                .hasMessageContaining("Value must be at least -1");
    }

    @Test
    void overridesLayerOnTop() {
        LogConfig config = LogConfig.fromMap(Map.of(TopicConfig.RETENTION_MS_CONFIG, "1000"))
                .with(Map.of(TopicConfig.SEGMENT_BYTES_CONFIG, "2097152"));
        assertThat(config.retentionMs()).isEqualTo(1000L);
        assertThat(config.segmentBytes()).isEqualTo(2_097_152);
        assertThat(config.overrides()).containsOnlyKeys("retention.ms", "segment.bytes");
    }
}
