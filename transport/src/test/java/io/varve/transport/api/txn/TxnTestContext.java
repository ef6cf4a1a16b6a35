package io.varve.transport.api.txn;

import com.typesafe.config.ConfigFactory;
import io.varve.transport.TransportSettings;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * What a transaction handler sees in a unit test: a {@link TestBroker} whose handlers give up on an
 * actor after {@link #ASK_TIMEOUT} (or {@link #SHORT_ASK_TIMEOUT}, for tests of an unanswered
 * coordinator), and {@link TransactionCoordinators} whose coordinator of each
 * transactional id is a {@link TestProbe} the test answers for, with a probe registry.
 */
final class TxnTestContext implements TransactionCoordinators {
    /** Long enough for a probe to answer on a loaded machine. */
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(20);

    static final Duration SHORT_ASK_TIMEOUT = Duration.ofMillis(300);

    final ActorTestKit testKit;
    final TestBroker broker;
    final TestProbe<TransactionRegistry.Command> registry;
    private final Map<String, TestProbe<TransactionCoordinator.Command>> probes = new ConcurrentHashMap<>();
    private final TxnSettings settings = TxnSettings.fromConfig(ConfigFactory.load());

    TxnTestContext(ActorTestKit testKit) {
        this(testKit, ASK_TIMEOUT);
    }

    /** With a longer ask timeout, for tests whose probes answer several asks in turn. */
    TxnTestContext(ActorTestKit testKit, Duration askTimeout) {
        this.testKit = testKit;
        this.registry = testKit.createTestProbe();
        this.broker = new TestBroker(
                testKit, new TransportSettings("127.0.0.1", 0, 1024 * 1024, askTimeout, false, 1, (short) 1, 1), this);
    }

    TestProbe<TransactionCoordinator.Command> coordinatorProbe(String transactionalId) {
        return probes.computeIfAbsent(
                transactionalId, id -> testKit.createTestProbe(TransactionCoordinator.Command.class));
    }

    /** The next command the coordinator of {@code transactionalId} receives, as {@code type}. */
    <T extends TransactionCoordinator.Command> T expect(String transactionalId, Class<T> type) {
        return coordinatorProbe(transactionalId).expectMessageClass(type);
    }

    @Override
    public RecipientRef<TransactionCoordinator.Command> coordinator(String transactionalId) {
        return coordinatorProbe(transactionalId).ref();
    }

    @Override
    public ActorRef<TransactionRegistry.Command> registry() {
        return registry.ref();
    }

    @Override
    public TxnSettings settings() {
        return settings;
    }

    @Override
    public CompletionStage<List<String>> transactionalIds() {
        return CompletableFuture.completedFuture(List.of());
    }

    /** Serializes a response body at {@code version}: it throws for a field the version lacks. */
    static void serializes(ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(body.size(cache, version));
        body.write(new ByteBufferAccessor(buffer), cache, version);
    }
}
