package io.varve.transport.api.produce;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.pid.ProducerIdManager;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class InitProducerIdHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final InitProducerIdHandler handler = new InitProducerIdHandler();
    private final TestBroker broker = new TestBroker(testKit, false);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void givesIdempotentProducerNewIdAtEpochZero() {
        CompletableFuture<ApiResponse> answer = broker.call(handler, request(null));

        ProducerIdManager.GenerateProducerId generate =
                broker.producerIds.expectMessageClass(ProducerIdManager.GenerateProducerId.class);
        generate.replyTo().tell(new ProducerIdManager.GeneratedProducerId(4000L, Errors.NONE));

        InitProducerIdResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.producerId()).isEqualTo(4000L);
        assertThat(data.producerEpoch()).isZero();
    }

    @Test
    void passesManagerError() {
        CompletableFuture<ApiResponse> answer = broker.call(handler, request(null));

        broker.producerIds
                .expectMessageClass(ProducerIdManager.GenerateProducerId.class)
                .replyTo()
                .tell(new ProducerIdManager.GeneratedProducerId(-1L, Errors.COORDINATOR_LOAD_IN_PROGRESS));

        InitProducerIdResponseData data = TestBroker.body(answer);
        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS.code());
        assertThat(data.producerId()).isEqualTo(-1L);
        assertThat(data.producerEpoch()).isEqualTo((short) -1);
    }

    @Test
    void answersTransactionalProducerWithCoordinatorNotAvailable() {
        InitProducerIdResponseData data = TestBroker.body(broker.call(handler, request("txn-1")));

        assertThat(data.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        broker.producerIds.expectNoMessage();
    }

    private static InitProducerIdRequest request(String transactionalId) {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(transactionalId)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(-1L)
                        .setProducerEpoch((short) -1))
                .build((short) 5);
    }
}
