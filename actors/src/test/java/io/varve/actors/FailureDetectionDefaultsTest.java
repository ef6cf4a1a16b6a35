package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure-detection defaults against Kafka's {@code broker.session.timeout.ms} (9 s), as Pekko gets
 * them from a node's configuration: a silent node is fenced (its partitions fail over) sooner than Kafka
 * fences a silent broker, and a node is downed (it must restart) only after a longer silence than that
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
        assertThat(unreachable.plus(stableAfter)).isGreaterThan(KAFKA_BROKER_SESSION_TIMEOUT);
        assertThat(pekko.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(stableAfter).isEqualTo(Duration.ofSeconds(5));
    }
}
