package io.varve.connectors.stream;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link VarveCommitter} batches commits: at most {@code maxBatch} offsets or {@code maxInterval}
 * per commit (Kafka's consumer commits every {@code auto.commit.interval.ms}), and how long the
 * group coordinator may take to answer.
 */
public record CommitSettings(int maxBatch, Duration maxInterval, Duration timeout) {
    public CommitSettings {
        if (maxBatch <= 0) {
            throw new IllegalArgumentException("max batch must be positive, not " + maxBatch);
        }
        Objects.requireNonNull(maxInterval, "maxInterval");
        Objects.requireNonNull(timeout, "timeout");
    }

    /** 1,000 offsets or 1 second per commit; 30 s for the coordinator's answer. */
    public static CommitSettings defaults() {
        return new CommitSettings(1000, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public CommitSettings withMaxBatch(int maxBatch) {
        return new CommitSettings(maxBatch, maxInterval, timeout);
    }

    public CommitSettings withMaxInterval(Duration maxInterval) {
        return new CommitSettings(maxBatch, maxInterval, timeout);
    }

    public CommitSettings withTimeout(Duration timeout) {
        return new CommitSettings(maxBatch, maxInterval, timeout);
    }
}
