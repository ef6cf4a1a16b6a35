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
 * after {@link #ASK_TIMEOUT}, and {@link GroupCoordinators} whose coordinator of each group id is a
 * {@link TestProbe} the test answers for, plus a list of group ids the test sets.
 */
final class GroupTestContext implements GroupCoordinators {
    static final Duration ASK_TIMEOUT = Duration.ofMillis(300);

    final ActorTestKit testKit;
    final TestBroker broker;
    private final Map<String, TestProbe<GroupCoordinator.Command>> probes = new ConcurrentHashMap<>();
    private volatile CompletionStage<List<String>> groupIds = CompletableFuture.completedFuture(List.of());

    GroupTestContext(ActorTestKit testKit) {
        this.testKit = testKit;
        this.broker = new TestBroker(
                testKit, new TransportSettings("127.0.0.1", 0, 1024 * 1024, ASK_TIMEOUT, false, 1, (short) 1, 1));
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
