package io.varve.partition.cleaner;

import com.typesafe.config.Config;
import io.varve.storage.cleaner.Cleaner;
import io.varve.storage.cleaner.CleanerThrottler;
import io.varve.storage.log.LogConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The node's log cleaner settings, from {@code varve.cleaner} in {@code reference.conf}; each maps to
 * Kafka's broker config of the same meaning (see {@link #asKafkaConfigs()}).
 *
 * @param enabled whether compacted logs are cleaned ({@code log.cleaner.enable})
 * @param threads cleaner threads, i.e. logs cleaned at once ({@code log.cleaner.threads}); the {@code
 *     varve.cleaner-dispatcher} pool has as many
 * @param backoff how long the cleaner waits when no log needs cleaning ({@code log.cleaner.backoff.ms})
 * @param dedupeBufferSize memory for the offset maps of all threads ({@code log.cleaner.dedupe.buffer.size})
 * @param dedupeBufferLoadFactor how full an offset map may get ({@code log.cleaner.io.buffer.load.factor})
 * @param ioBufferSize memory for the read and write buffers of all threads ({@code log.cleaner.io.buffer.size})
 * @param ioMaxBytesPerSecond the cleaners' read plus write rate limit, 0 for none ({@code
 *     log.cleaner.io.max.bytes.per.second})
 * @param askTimeout how long the cleaner waits for a partition to describe itself or take a snapshot
 */
public record CleanerSettings(
        boolean enabled,
        int threads,
        Duration backoff,
        long dedupeBufferSize,
        double dedupeBufferLoadFactor,
        int ioBufferSize,
        double ioMaxBytesPerSecond,
        Duration askTimeout) {

    public CleanerSettings {
        if (threads < 1) {
            throw new IllegalArgumentException("varve.cleaner.threads must be at least 1, not " + threads);
        }
        if (ioMaxBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "varve.cleaner.io-max-bytes-per-second must be 0 (unlimited) or positive, not "
                            + ioMaxBytesPerSecond);
        }
    }

    public static CleanerSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.cleaner");
        return new CleanerSettings(
                c.getBoolean("enable"),
                c.getInt("threads"),
                c.getDuration("backoff"),
                c.getBytes("dedupe-buffer-size"),
                c.getDouble("dedupe-buffer-load-factor"),
                c.getBytes("io-buffer-size").intValue(),
                c.getDouble("io-max-bytes-per-second"),
                c.getDuration("ask-timeout"));
    }

    /** Kafka's defaults. */
    public static CleanerSettings defaults() {
        return new CleanerSettings(
                true, 1, Duration.ofSeconds(15), 128L << 20, 0.9, 512 << 10, 0, Duration.ofSeconds(10));
    }

    /** No log cleaner (compacted topics grow without bound). */
    public static CleanerSettings disabled() {
        return new CleanerSettings(
                false, 1, Duration.ofSeconds(15), 128L << 20, 0.9, 512 << 10, 0, Duration.ofSeconds(10));
    }

    /** The rate limit as Kafka states it: {@link Double#MAX_VALUE} when unlimited. */
    public double kafkaIoMaxBytesPerSecond() {
        return ioMaxBytesPerSecond == 0 ? Double.MAX_VALUE : ioMaxBytesPerSecond;
    }

    /**
     * One cleaner thread's worker: its share of the dedupe buffer and of the rate limit, and half its share
     * of the I/O buffer memory for each of its read and write buffers, as Kafka divides them.
     */
    public Cleaner newWorker() {
        double rate = ioMaxBytesPerSecond == 0 ? Double.MAX_VALUE : ioMaxBytesPerSecond / threads;
        return new Cleaner(
                dedupeBufferSize / threads,
                dedupeBufferLoadFactor,
                Math.max(1024, ioBufferSize / threads / 2),
                LogConfig.DEFAULT_MAX_MESSAGE_BYTES,
                new CleanerThrottler(rate));
    }

    /** The settings under Kafka's broker config names, as DescribeConfigs reports them. */
    public Map<String, String> asKafkaConfigs() {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("log.cleaner.enable", Boolean.toString(enabled));
        configs.put("log.cleaner.threads", Integer.toString(threads));
        configs.put("log.cleaner.backoff.ms", Long.toString(backoff.toMillis()));
        configs.put("log.cleaner.dedupe.buffer.size", Long.toString(dedupeBufferSize));
        configs.put("log.cleaner.io.buffer.load.factor", Double.toString(dedupeBufferLoadFactor));
        configs.put("log.cleaner.io.buffer.size", Integer.toString(ioBufferSize));
        configs.put("log.cleaner.io.max.bytes.per.second", Double.toString(kafkaIoMaxBytesPerSecond()));
        return configs;
    }
}
