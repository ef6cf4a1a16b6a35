package io.varve.transport.api.group;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.transport.TransportSettings;
import io.varve.transport.testing.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * What a group handler sees in a unit test: a {@link TestBroker} whose handlers give up on an actor
 * after {@link #ASK_TIMEOUT} (or a shorter one, for tests of a coordinator that does not answer), and {@link GroupCoordinators} whose coordinator of each group id is a
 * {@link TestProbe} the test answers for, plus a list of group ids the test sets.
 */
final class GroupTestContext implements GroupCoordinators {
    /** Long enough for a probe to answer on a loaded machine. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(20);
    /** For a test whose only coordinator never answers. */
    static final Duration SHORT_ASK_TIMEOUT = Duration.ofMillis(300);
    /**
     * For a test where some coordinators answer and one stays silent: the answers must come within it
     * (a probe answered in 300 ms was late on a machine at load average 46), the silent one costs it.
     */
    static final Duration MIXED_ASK_TIMEOUT = Duration.ofSeconds(2);

    final ActorTestKit testKit;
    final TestBroker broker;
    private final Map<String, TestProbe<GroupCoordinator.Command>> probes = new ConcurrentHashMap<>();
    private volatile CompletionStage<List<String>> groupIds = CompletableFuture.completedFuture(List.of());

    GroupTestContext(ActorTestKit testKit) {
        this(testKit, ASK_TIMEOUT);
    }

    GroupTestContext(ActorTestKit testKit, Duration askTimeout) {
        this.testKit = testKit;
        this.broker = new TestBroker(
                testKit, new TransportSettings("127.0.0.1", 0, 1024 * 1024, askTimeout, false, 1, (short) 1, 1));
    }

    /** The probe standing in for the coordinator of {@code groupId}. */
    TestProbe<GroupCoordinator.Command> coordinatorProbe(String groupId) {
        return probes.computeIfAbsent(groupId, id -> testKit.createTestProbe(GroupCoordinator.Command.class));
    }

    /** The next command the coordinator of {@code groupId} receives, as {@code type}. */
    <T extends GroupCoordinator.Command> T expect(String groupId, Class<T> type) {
        return coordinatorProbe(groupId).expectMessageClass(type);
    }

    void groupIds(CompletionStage<List<String>> ids) {
        this.groupIds = ids;
    }

    @Override
    public RecipientRef<GroupCoordinator.Command> coordinator(String groupId) {
        return coordinatorProbe(groupId).ref();
    }

    @Override
    public CompletionStage<List<String>> groupIds() {
        return groupIds;
    }
}
