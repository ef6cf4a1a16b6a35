package io.varve.connectors.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An embedded node's configuration: a setting reaches the reference.conf values defined from it, and
 * a temporary node's journals are in memory unless the user says otherwise.
 */
class VarveBuilderConfigTest {
    @TempDir
    Path dir;

    @Test
    void theCleanerDispatcherHasAsManyThreadsAsTheCleanerIsGiven() {
        Config config = Varve.builder().config("varve.cleaner.threads", 2).resolve(dir, true);

        assertThat(config.getInt("varve.cleaner-dispatcher.thread-pool-executor.fixed-pool-size"))
                .isEqualTo(2);
    }

    @Test
    void aTemporaryNodeKeepsItsJournalsInMemoryAndAKeptDirectoryOnH2() {
        assertThat(Varve.builder().resolve(dir, true).getBoolean("varve.journal.in-memory"))
                .isTrue();
        assertThat(Varve.builder().resolve(dir, false).getBoolean("varve.journal.in-memory"))
                .isFalse();
        assertThat(Varve.builder()
                        .config("varve.journal.in-memory", false)
                        .resolve(dir, true)
                        .getBoolean("varve.journal.in-memory"))
                .isFalse();
    }
}
