package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogDirectoryTest {
    @TempDir
    Path root;

    private final ManualClock clock = new ManualClock(LogFixture.START_MS);

    @Test
    void aCleanShutdownMarkerIsConsumedOnOpen() throws IOException {
        LogDirectory first = LogDirectory.open(root);
        assertThat(first.hadCleanShutdown()).isFalse();
        first.markCleanShutdown();
        assertThat(Files.exists(root.resolve(".clean-shutdown"))).isTrue();
        LogDirectory second = LogDirectory.open(root);
        assertThat(second.hadCleanShutdown()).isTrue();
        assertThat(Files.exists(root.resolve(".clean-shutdown"))).isFalse();
        assertThat(LogDirectory.open(root).hadCleanShutdown()).isFalse();
    }

    @Test
    void logsComeBackWithTheirCheckpointedOffsets() throws IOException {
        TopicPartition tp = new TopicPartition("pay-ments", 2);
        LogDirectory directory = LogDirectory.open(root);
        PartitionLog log = directory.openLog(tp, LogConfig.defaults(), 60_000, clock);
        for (int i = 0; i < 3; i++) {
            log.appendAsLeader(Batches.batch("v" + i, 2, clock.millis()), 0);
            log.roll();
        }
        log.deleteRecordsBefore(3);
        log.close();
        directory.writeCheckpoints(Map.of(tp, log.recoveryPoint()), Map.of(tp, log.logStartOffset()));
        directory.markCleanShutdown();

        assertThat(Files.readString(root.resolve("log-start-offset-checkpoint")))
                .isEqualTo("0\n1\npay-ments 2 3\n");
        LogDirectory reopened = LogDirectory.open(root);
        assertThat(reopened.existingPartitions()).containsExactly(tp);
        PartitionLog again = reopened.openLog(tp, LogConfig.defaults(), 60_000, clock);
        assertThat(again.logStartOffset()).isEqualTo(3);
        assertThat(again.logEndOffset()).isEqualTo(6);
        assertThat(again.recoveryPoint()).isEqualTo(6);
        again.close();
    }
}
