package io.varve.partition;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Housekeeping intervals of a partition actor, from {@code varve.partition} in {@code
 * reference.conf}.
 *
 * @param retentionCheckInterval how often retention runs ({@code log.retention.check.interval.ms})
 * @param producerIdExpiration idle time after which a producer's state is dropped ({@code
 *     producer.id.expiration.ms})
 * @param producerIdExpirationCheckInterval how often that is checked
 * @param flushCheckInterval how often {@code flush.ms} is checked ({@code log.flush.scheduler.interval.ms})
 */
public record PartitionSettings(
        Duration retentionCheckInterval,
        Duration producerIdExpiration,
        Duration producerIdExpirationCheckInterval,
        Duration flushCheckInterval) {

    public static PartitionSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.partition");
        return new PartitionSettings(
                c.getDuration("retention-check-interval"),
                c.getDuration("producer-id-expiration"),
                c.getDuration("producer-id-expiration-check-interval"),
                c.getDuration("flush-check-interval"));
    }
}
