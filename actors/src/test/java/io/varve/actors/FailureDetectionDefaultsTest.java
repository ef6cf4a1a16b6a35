package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure-detection defaults against Kafka's {@code broker.session.timeout.ms} (9 s), as Pekko gets
 * them from a node's configuration: a silent node is fenced (its partitions fail over) sooner than Kafka
 * fences a silent broker, and a node is downed (it must restart) no sooner than Kafka fences it
 * (docs/cluster.md, "Detection timings").
 */
class FailureDetectionDefaultsTest {
    private static final Duration KAFKA_BROKER_SESSION_TIMEOUT = Duration.ofSeconds(9);

    @TempDir
    Path dir;

    @Test
    void aSilentNodeIsFencedBeforeKafkaWouldAndDownedOnlyAfter() {
        Config pekko = PekkoConfig.apply(Main.load(dir.resolve("missing.conf").toFile()));
        Duration heartbeat = pekko.getDuration("pekko.cluster.failure-detector.heartbeat-interval");
        Duration pause = pekko.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause");
        Duration stableAfter = pekko.getDuration("pekko.cluster.split-brain-resolver.stable-after");

        Duration unreachable = heartbeat.plus(pause);
        assertThat(unreachable).isLessThan(KAFKA_BROKER_SESSION_TIMEOUT);
        // the phi detector's margin comes on top: about 9-10 s of silence in all
        assertThat(unreachable.plus(stableAfter)).isGreaterThanOrEqualTo(KAFKA_BROKER_SESSION_TIMEOUT);
        assertThat(pekko.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(stableAfter).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void aDeadControllersSingletonWaitsOneSecondAfterTheRemovalNotTheResolversStableAfterAgain() {
        Config pekko = PekkoConfig.apply(Main.load(dir.resolve("missing.conf").toFile()));

        // Pekko's "off" (or zero) would make the split-brain resolver use its stable-after again
        assertThat(pekko.getDuration("pekko.cluster.down-removal-margin")).isEqualTo(Duration.ofSeconds(1));
        for (String tick : List.of("gossip-interval", "leader-actions-interval", "unreachable-nodes-reaper-interval")) {
            assertThat(pekko.getDuration("pekko.cluster." + tick)).as(tick).isEqualTo(Duration.ofMillis(250));
        }
    }

    @Test
    void aTickTheConfigurationSetsItselfIsKept() {
        Config loaded = ConfigFactory.parseString("pekko.cluster.leader-actions-interval = 100ms")
                .withFallback(Main.load(dir.resolve("missing.conf").toFile()));

        Config pekko = PekkoConfig.apply(loaded);

        assertThat(pekko.getDuration("pekko.cluster.leader-actions-interval")).isEqualTo(Duration.ofMillis(100));
        assertThat(pekko.getDuration("pekko.cluster.gossip-interval")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void aZeroRemovalMarginIsRefusedBecausePekkoWouldReadItAsStableAfter() {
        Config loaded = ConfigFactory.parseString("varve.cluster.removal-margin = 0s")
                .withFallback(Main.load(dir.resolve("missing.conf").toFile()));

        assertThatThrownBy(() -> PekkoConfig.apply(loaded))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("varve.cluster.removal-margin must be above zero, was PT0S");
    }
}
