package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AddOffsetsToTxnHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final AddOffsetsToTxnHandler handler = new AddOffsetsToTxnHandler();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void addsTheGroupToTheTransaction() {
        for (short version = 0; version <= 4; version++) {
            CompletableFuture<ApiResponse> answer = txn.broker.call(
                    handler,
                    new AddOffsetsToTxnRequest.Builder(new AddOffsetsToTxnRequestData()
                                    .setTransactionalId("t1")
                                    .setProducerId(7L)
                                    .setProducerEpoch((short) 1)
                                    .setGroupId("readers"))
                            .build(version));

            TransactionCoordinator.AddOffsets add = txn.expect("t1", TransactionCoordinator.AddOffsets.class);
            assertThat(add.groupId()).isEqualTo("readers");
            assertThat(add.verifyOnly()).isFalse();
            add.replyTo().tell(new TransactionCoordinator.ErrorResult(Errors.PRODUCER_FENCED));

            AddOffsetsToTxnResponseData data = TestBroker.body(answer);
            // KIP-588: clients older than v2 know only INVALID_PRODUCER_EPOCH
            Errors expected = version < 2 ? Errors.INVALID_PRODUCER_EPOCH : Errors.PRODUCER_FENCED;
            assertThat(data.errorCode()).isEqualTo(expected.code());
            TxnTestContext.serializes(data, version);
        }
    }
}
