package io.varve.metadata.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.ProducerIdBlock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A controller whose node does not know its cluster incarnation yet ({@code mayAct} pending) persists
 * nothing and answers nothing: it stashes the commands, and handles them once {@code mayAct} completes;
 * when it never completes (the node's cluster was superseded), the controller never writes.
 */
class ControllerGateTest {
    private final ActorTestKit testKit = ActorTestKit.create(
            PersistenceTestKitPlugin.getInstance().config().withFallback(PersistenceTestKitSnapshotPlugin.config()));
    private final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void persistsAndAnswersNothingUntilItsNodeMayAct() {
        CompletableFuture<Void> mayAct = new CompletableFuture<>();
        ActorRef<Controller.Command> controller = testKit.spawn(
                ControllerBehavior.create(ControllerTestKit.SETTINGS, ControllerTestKit.POLICY, 1, false, mayAct));
        TestProbe<ProducerIdBlock> answers = testKit.createTestProbe(ProducerIdBlock.class);
        controller.tell(new AllocateProducerIds(1, answers.ref()));

        // an observation window: a controller that acted would have persisted the block by now
        journal.expectNothingPersisted(ControllerBehavior.PERSISTENCE_ID.id(), Duration.ofSeconds(2));
        answers.expectNoMessage(Duration.ZERO);

        mayAct.complete(null);
        ProducerIdBlock block = answers.receiveMessage(Duration.ofSeconds(30));
        assertThat(block.error()).isEqualTo(Errors.NONE);
        assertThat(block.brokerId()).isEqualTo(1);
        assertThat(block.firstProducerId()).isZero();
        assertThat(journal.persistedInStorage(ControllerBehavior.PERSISTENCE_ID.id()))
                .as("what the controller wrote once it may act")
                .hasSize(1);
    }

    @Test
    void aControllerWhoseNodeMayNeverActNeverWrites() {
        CompletableFuture<Void> mayAct = new CompletableFuture<>();
        ActorRef<Controller.Command> controller = testKit.spawn(
                ControllerBehavior.create(ControllerTestKit.SETTINGS, ControllerTestKit.POLICY, 1, false, mayAct));
        TestProbe<ProducerIdBlock> answers = testKit.createTestProbe(ProducerIdBlock.class);
        controller.tell(new AllocateProducerIds(1, answers.ref()));
        mayAct.completeExceptionally(new IllegalStateException("superseded"));

        journal.expectNothingPersisted(ControllerBehavior.PERSISTENCE_ID.id(), Duration.ofSeconds(2));
        answers.expectNoMessage(Duration.ZERO);
    }
}
