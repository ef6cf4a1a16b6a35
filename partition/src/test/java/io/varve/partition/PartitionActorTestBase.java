package io.varve.partition;

import java.nio.file.Path;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that drive real partition actors: each test gets a fresh {@link ActorTestKit}, its
 * own data directory and a {@link PartitionFixture} on both, and the test kit is shut down after it.
 * A subclass's own {@code @BeforeEach} runs after this one's, so it may adjust {@link #fx}.
 */
abstract class PartitionActorTestBase {
    @TempDir
    Path dataDir;

    ActorTestKit testKit;
    PartitionFixture fx;

    /** The test kit, with Pekko's test defaults; a test that moves time itself uses {@code ManualTime}. */
    ActorTestKit createTestKit() {
        return ActorTestKit.create();
    }

    @BeforeEach
    void startTestKit() {
        testKit = createTestKit();
        fx = new PartitionFixture(testKit, dataDir);
    }

    @AfterEach
    void stopTestKit() {
        testKit.shutdownTestKit();
    }
}
