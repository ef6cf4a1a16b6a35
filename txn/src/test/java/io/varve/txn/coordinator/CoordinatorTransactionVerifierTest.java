package io.varve.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinators;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TxnSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A partition leader's checks with a coordinator that never answers, as one on a node that was just
 * killed (its shard has not moved yet, the messages are lost): the leader answers within {@code
 * coordinator-ask-timeout}, not the marker {@code request-timeout}, which equals the producer's own
 * request timeout (the producer would time out its Produce request first and resend it only then).
 */
class CoordinatorTransactionVerifierTest {
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration ASK_TIMEOUT = Duration.ofMillis(300);
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private final TestProbe<TransactionCoordinator.Command> silentCoordinator = TEST_KIT.createTestProbe();
    private final CoordinatorTransactionVerifier verifier = new CoordinatorTransactionVerifier(
            new SilentCoordinators(silentCoordinator.ref(), settings()),
            TEST_KIT.system().scheduler(),
            Runnable::run);

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void aVerificationTheCoordinatorNeverAnswersIsCoordinatorNotAvailableAfterTheAskTimeout() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Errors> answer =
                verifier.verify("tx", 7L, (short) 0, TP, false).toCompletableFuture();

        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REQUEST_TIMEOUT);
        assertThat(silentCoordinator.receiveMessage()).isInstanceOf(TransactionCoordinator.VerifyPartitions.class);
    }

    @Test
    void anAddTheCoordinatorNeverAnswersIsCoordinatorNotAvailableAfterTheAskTimeout() throws Exception {
        long start = System.nanoTime();
        CompletableFuture<Errors> answer =
                verifier.verify("tx", 7L, (short) 0, TP, true).toCompletableFuture();

        // the leader answers the producer NOT_ENOUGH_REPLICAS for it, which the producer retries
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(REQUEST_TIMEOUT);
        TransactionCoordinator.AddPartitions add =
                (TransactionCoordinator.AddPartitions) silentCoordinator.receiveMessage();
        assertThat(add.partitions()).containsExactly(TP);
    }

    private static TxnSettings settings() {
        TxnSettings base = TxnSettings.fromConfig(ConfigFactory.load());
        return new TxnSettings(
                (short) 2,
                base.maxTimeout(),
                base.idExpiration(),
                REQUEST_TIMEOUT,
                ASK_TIMEOUT,
                base.markerRetryBackoff(),
                base.addPartitionsRetryBackoff(),
                base.addPartitionsRetryTimeout(),
                true,
                base.deadlineRetryInterval(),
                base.completionLinger(),
                base.snapshotEvery(),
                base.readJournalPluginId());
    }

    private record SilentCoordinators(ActorRef<TransactionCoordinator.Command> entity, TxnSettings settings)
            implements TransactionCoordinators {
        @Override
        public RecipientRef<TransactionCoordinator.Command> coordinator(String transactionalId) {
            return entity;
        }

        @Override
        public ActorRef<TransactionRegistry.Command> registry() {
            throw new UnsupportedOperationException("no registry in this test");
        }

        @Override
        public CompletionStage<List<String>> transactionalIds() {
            return CompletableFuture.completedFuture(List.of());
        }
    }
}
