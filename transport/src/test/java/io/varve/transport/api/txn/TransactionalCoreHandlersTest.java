package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.group.FindCoordinatorHandler;
import io.varve.transport.api.meta.ApiVersionsHandler;
import io.varve.transport.api.produce.InitProducerIdHandler;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** InitProducerId, FindCoordinator and ApiVersions on a node with transaction coordinators. */
class TransactionalCoreHandlersTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final TxnTestContext unanswered = new TxnTestContext(testKit, TxnTestContext.SHORT_ASK_TIMEOUT);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    private CompletableFuture<ApiResponse> init(String transactionalId, short version, boolean enable2Pc) {
        return init(txn, transactionalId, version, enable2Pc);
    }

    private static CompletableFuture<ApiResponse> init(
            TxnTestContext context, String transactionalId, short version, boolean enable2Pc) {
        InitProducerIdRequestData data = new InitProducerIdRequestData()
                .setTransactionalId(transactionalId)
                .setTransactionTimeoutMs(30_000)
                .setProducerId(version >= 3 ? 5L : -1L)
                .setProducerEpoch(version >= 3 ? (short) 2 : (short) -1)
                .setEnable2Pc(enable2Pc);
        // parsed from the wire: the client's builder refuses an empty id, a broker must not
        InitProducerIdRequest request = InitProducerIdRequest.parse(
                new org.apache.kafka.common.protocol.ByteBufferAccessor(
                        org.apache.kafka.common.protocol.MessageUtil.toByteBufferAccessor(data, version)
                                .buffer()),
                version);
        return context.broker.call(new InitProducerIdHandler(), request);
    }

    @Test
    void transactionalInitProducerIdGoesToTheCoordinatorAtEveryVersion() {
        for (short version = 0; version <= ApiKeys.INIT_PRODUCER_ID.latestVersion(); version++) {
            CompletableFuture<ApiResponse> answer = init("t1", version, false);

            TransactionCoordinator.InitProducerId command =
                    txn.expect("t1", TransactionCoordinator.InitProducerId.class);
            assertThat(command.txnTimeoutMs()).isEqualTo(30_000);
            assertThat(command.expectedProducerId()).isEqualTo(version >= 3 ? 5L : -1L);
            assertThat(command.expectedEpoch()).isEqualTo(version >= 3 ? (short) 2 : (short) -1);
            command.replyTo().tell(new TransactionCoordinator.ProducerIdAndEpoch(Errors.NONE, 5L, (short) 3));

            InitProducerIdResponseData data = TestBroker.body(answer);
            assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(data.producerId()).isEqualTo(5L);
            assertThat(data.producerEpoch()).isEqualTo((short) 3);
            TxnTestContext.serializes(data, version);
        }
    }

    @Test
    void refusedTransactionalRequests() {
        InitProducerIdResponseData empty = TestBroker.body(init("", (short) 5, false));
        InitProducerIdResponseData twoPhase = TestBroker.body(init("t2", (short) 6, true));
        InitProducerIdResponseData timedOut = TestBroker.body(init(unanswered, "t3", (short) 5, false));

        assertThat(empty.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        assertThat(twoPhase.errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code());
        assertThat(timedOut.errorCode()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE.code());
        assertThat(timedOut.producerId()).isEqualTo(-1L);
    }

    @Test
    void transactionKeysAreCoordinatedByThisNode() {
        FindCoordinatorResponseData data = TestBroker.body(txn.broker.call(
                new FindCoordinatorHandler(),
                new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                                .setKeyType(CoordinatorType.TRANSACTION.id())
                                .setCoordinatorKeys(List.of("t1", "t2")))
                        .build((short) 4)));

        assertThat(data.coordinators())
                .extracting(c -> c.key() + "@" + c.nodeId() + ":" + c.port() + "/" + Errors.forCode(c.errorCode()))
                .containsExactly("t1@1:9092/NONE", "t2@1:9092/NONE");
    }

    @Test
    void apiVersionsFinalizesTheTransactionVersion() {
        HandlerRegistry registry = HandlerRegistry.of(CoreHandlers.list());
        ApiVersionsHandler handler =
                (ApiVersionsHandler) registry.handler(ApiKeys.API_VERSIONS).orElseThrow();

        ApiVersionsResponseData data = TestBroker.body(txn.broker.call(
                handler,
                new ApiVersionsRequest(
                        new ApiVersionsRequestData().setClientSoftwareName("t").setClientSoftwareVersion("1"),
                        (short) 4)));

        assertThat(data.supportedFeatures().find("transaction.version").maxVersion())
                .isEqualTo((short) 2);
        assertThat(data.finalizedFeatures().find("transaction.version").maxVersionLevel())
                .isEqualTo((short) 2);
        assertThat(data.finalizedFeatures().find("transaction.version").minVersionLevel())
                .isEqualTo((short) 2);
    }
}
