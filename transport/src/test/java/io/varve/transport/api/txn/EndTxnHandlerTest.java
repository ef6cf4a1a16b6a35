package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class EndTxnHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final TxnTestContext unanswered = new TxnTestContext(testKit, TxnTestContext.SHORT_ASK_TIMEOUT);
    private final EndTxnHandler handler = new EndTxnHandler();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private CompletableFuture<ApiResponse> end(short version, boolean commit) {
        return end(txn, version, commit);
    }

    private CompletableFuture<ApiResponse> end(TxnTestContext context, short version, boolean commit) {
        return context.broker.call(
                handler,
                new EndTxnRequest.Builder(
                                new EndTxnRequestData()
                                        .setTransactionalId("t1")
                                        .setProducerId(7L)
                                        .setProducerEpoch((short) 3)
                                        .setCommitted(commit),
                                version >= 5)
                        .build(version));
    }

    @Test
    void versionFiveIsTransactionVersionTwoAndAnswersTheNextEpoch() {
        CompletableFuture<ApiResponse> answer = end((short) 5, true);

        TransactionCoordinator.EndTxn command = txn.expect("t1", TransactionCoordinator.EndTxn.class);
        assertThat(command)
                .extracting(c -> c.producerId(), c -> c.producerEpoch(), c -> c.commit(), c -> c.transactionVersion())
                .containsExactly(7L, (short) 3, true, (short) 2);
        command.replyTo().tell(new TransactionCoordinator.ProducerIdAndEpoch(Errors.NONE, 7L, (short) 4));

        EndTxnResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.producerId()).isEqualTo(7L);
        assertThat(data.producerEpoch()).isEqualTo((short) 4);
        TxnTestContext.serializes(data, (short) 5);
    }

    @Test
    void olderVersionsAreTransactionVersionOneWithoutTheEpochFields() {
        for (short version = 0; version <= 4; version++) {
            CompletableFuture<ApiResponse> answer = end(version, false);
            TransactionCoordinator.EndTxn command = txn.expect("t1", TransactionCoordinator.EndTxn.class);
            assertThat(command.transactionVersion()).isZero();
            command.replyTo()
                    .tell(new TransactionCoordinator.ProducerIdAndEpoch(Errors.PRODUCER_FENCED, -1, (short) -1));

            EndTxnResponseData data = TestBroker.body(answer);
            // KIP-588: clients older than v2 know only INVALID_PRODUCER_EPOCH
            Errors expected = version < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED;
            assertThat(data.errorCode()).isEqualTo(expected.code());
            TxnTestContext.serializes(data, version);
        }
    }

    @Test
    void anUnansweredCoordinatorIsNotAvailable() {
        EndTxnResponseData data = TestBroker.body(end(unanswered, (short) 4, true));

        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
    }
}
