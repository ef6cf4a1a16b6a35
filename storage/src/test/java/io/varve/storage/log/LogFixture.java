package io.varve.storage.log;

import io.varve.storage.testing.ManualClock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/** Test context: a partition log in a temp dir with a manual clock, reopenable as after a stop. */
final class LogFixture {
    static final long START_MS = 1_700_000_000_000L;
    static final long PRODUCER_ID_EXPIRATION_MS = 86_400_000L;

    final Path dir;
    final TopicPartition tp = new TopicPartition("orders", 3);
    final ManualClock clock = new ManualClock(START_MS);
    final Map<String, String> overrides = new HashMap<>();
    PartitionLog log;

    LogFixture(Path root) {
        this.dir = root.resolve("orders-3");
    }

    LogFixture with(String key, Object value) {
        overrides.put(key, String.valueOf(value));
        return this;
    }

    LogConfig config() {
        return LogConfig.fromMap(overrides);
    }

    /** {@link #open()} for tests whose setup cannot fail with an I/O error worth declaring. */
    PartitionLog open0() {
        try {
            return open();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    PartitionLog open() throws IOException {
        log = PartitionLog.open(dir, tp, config(), 0L, 0L, false, PRODUCER_ID_EXPIRATION_MS, clock);
        return log;
    }

    /** Closes cleanly and opens again as after a clean shutdown. */
    PartitionLog reopenClean() throws IOException {
        long logStartOffset = log.logStartOffset();
        long recoveryPoint = log.logEndOffset();
        log.close();
        log = PartitionLog.open(
                dir, tp, config(), recoveryPoint, logStartOffset, true, PRODUCER_ID_EXPIRATION_MS, clock);
        return log;
    }

    /** Opens the files as after a clean shutdown, without closing a log first. */
    PartitionLog reopenClean0() throws IOException {
        log = PartitionLog.open(dir, tp, config(), Long.MAX_VALUE, 0L, true, PRODUCER_ID_EXPIRATION_MS, clock);
        return log;
    }

    /** Opens the files again as after a crash: no clean-shutdown marker, recovery from {@code recoveryPoint}. */
    PartitionLog reopenAfterCrash(long recoveryPoint) throws IOException {
        log = PartitionLog.open(dir, tp, config(), recoveryPoint, 0L, false, PRODUCER_ID_EXPIRATION_MS, clock);
        return log;
    }

    AppendResult.Appended append(String prefix, int count) {
        AppendResult result = log.appendAsLeader(Batches.batch(prefix, count, clock.millis()), 0);
        if (result instanceof AppendResult.Appended appended) {
            return appended;
        }
        throw new AssertionError("append failed: " + result);
    }
}
