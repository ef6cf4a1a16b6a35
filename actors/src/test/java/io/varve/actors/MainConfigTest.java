package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's configuration as {@code bin/varve start} loads it: a setting of the configuration file
 * reaches the reference.conf values defined from it (the cleaner dispatcher has one thread per
 * {@code varve.cleaner.threads}).
 */
class MainConfigTest {
    @TempDir
    Path dir;

    @Test
    void theCleanerDispatcherHasAsManyThreadsAsTheCleanerIsGiven() throws Exception {
        Path file = dir.resolve("application.conf");
        Files.writeString(file, "varve.cleaner.threads = 3\n");

        Config config = Main.load(file.toFile());

        assertThat(config.getInt("varve.cleaner.threads")).isEqualTo(3);
        assertThat(config.getInt("varve.cleaner-dispatcher.thread-pool-executor.fixed-pool-size"))
                .isEqualTo(3);
    }

    @Test
    void aPekkoSettingTheNodeDerivesIsNamedWhenSetByHand() throws Exception {
        Path file = dir.resolve("application.conf");
        Files.writeString(
                file,
                "pekko.remote.artery.canonical.port = 25521\n"
                        + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                        + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 5s\n"
                        + "pekko.loglevel = DEBUG\n");
        Config config = Main.load(file.toFile());

        // the port differs from varve.cluster.port's 25520; the host and the pause (5000ms) are the
        // ones derived anyway, and pekko.loglevel is not derived
        assertThat(PekkoConfig.replacedByHand(config, PekkoConfig.derived(config)))
                .containsExactly("pekko.remote.artery.canonical.port = 25521 (replaced by 25520)");
        assertThat(PekkoConfig.apply(config).getInt("pekko.remote.artery.canonical.port"))
                .isEqualTo(25520);
    }

    @Test
    void theShippedConfigurationSetsNothingTheNodeReplaces() {
        for (Config config : List.of(
                Main.load(dir.resolve("missing.conf").toFile()),
                Main.load(Path.of("../application.conf").toFile()))) {
            assertThat(PekkoConfig.replacedByHand(config, PekkoConfig.derived(config)))
                    .isEmpty();
        }
    }

    @Test
    void withoutAnOverrideTheCleanerHasKafkasOneThread() {
        Config config = Main.load(dir.resolve("missing.conf").toFile());

        assertThat(config.getInt("varve.cleaner-dispatcher.thread-pool-executor.fixed-pool-size"))
                .isEqualTo(1);
    }
}
