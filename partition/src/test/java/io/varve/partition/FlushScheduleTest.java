package io.varve.partition;

import static io.varve.partition.PartitionFixture.batch;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.storage.log.LogConfig;
import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/**
 * The {@code flush.ms} timer runs only for topics that set {@code flush.ms} (an idle partition at
 * Kafka's default costs no timer message a second), and starts when a config update sets it.
 */
class FlushScheduleTest extends PartitionActorTestBase {

    @Test
    void aTopicThatSetsFlushMsIsFlushedByTime() throws Exception {
        ActorRef<Command> partition = fx.with(TopicConfig.FLUSH_MS_CONFIG, 0).spawn();

        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);

        Conditions.require(
                Duration.ofSeconds(20),
                "recovery point at the log end offset 3",
                () -> fx.describe(partition).recoveryPoint() == 3L);
    }

    @Test
    void settingFlushMsByAConfigUpdateStartsTheTimer() throws Exception {
        ActorRef<Command> partition = fx.spawn();
        fx.append(partition, batch("a", 3, System.currentTimeMillis()), 1);
        assertThat(fx.describe(partition).recoveryPoint()).isZero();

        partition.tell(
                new UpdateRegistration(fx.registration, LogConfig.fromMap(Map.of(TopicConfig.FLUSH_MS_CONFIG, "0"))));

        Conditions.require(
                Duration.ofSeconds(20),
                "recovery point at the log end offset 3",
                () -> fx.describe(partition).recoveryPoint() == 3L);
    }
}
