package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListOffsets by timestamp (KIP-33) and MAX_TIMESTAMP (KIP-734) across segments. */
class TimestampLookupTest {
    @TempDir
    Path root;

    private LogFixture fx;
    private long t0;

    /** Offsets 0-1 at t0, 2-3 at t0+100 (gzip), roll, 4-5 at t0+50, 6-7 at t0+300. */
    @BeforeEach
    void fill() throws IOException {
        fx = new LogFixture(root).with(TopicConfig.INDEX_INTERVAL_BYTES_CONFIG, 0);
        PartitionLog log = fx.open();
        t0 = fx.clock.millis();
        log.appendAsLeader(Batches.batch("a", 2, t0), 0);
        log.appendAsLeader(Batches.batch(Compression.gzip().build(), "b", 2, t0 + 100), 0);
        log.roll();
        log.appendAsLeader(Batches.batch("c", 2, t0 + 50), 0);
        log.appendAsLeader(Batches.batch("d", 2, t0 + 300), 0);
    }

    @AfterEach
    void close() throws IOException {
        fx.log.close();
    }

    @Test
    void findsTheFirstRecordAtOrAfterATimestamp() {
        assertThat(fx.log.offsetForTimestamp(t0 - 1).map(o -> o.offset)).contains(0L);
        assertThat(fx.log.offsetForTimestamp(t0).map(o -> o.offset)).contains(0L);
        assertThat(fx.log.offsetForTimestamp(t0 + 1).map(o -> o.offset)).contains(2L);
        assertThat(fx.log.offsetForTimestamp(t0 + 100).map(o -> o.timestamp)).contains(t0 + 100);
        // the first segment's max is t0+100, so t0+101 is answered from the second segment
        assertThat(fx.log.offsetForTimestamp(t0 + 101).map(o -> o.offset)).contains(6L);
        assertThat(fx.log.offsetForTimestamp(t0 + 301)).isEmpty();
    }

    @Test
    void findsTheRecordWithTheMaxTimestamp() {
        TimestampAndOffset max = fx.log.maxTimestampAndOffset().orElseThrow();
        assertThat(max.timestamp).isEqualTo(t0 + 300);
        assertThat(max.offset).isEqualTo(6L);
        assertThat(max.leaderEpoch).contains(0);
    }

    @Test
    void lookupsSurviveAReopen() throws IOException {
        fx.reopenClean();
        assertThat(fx.log.offsetForTimestamp(t0 + 1).map(o -> o.offset)).contains(2L);
        assertThat(fx.log.maxTimestampAndOffset().map(o -> o.offset)).contains(6L);
    }
}
