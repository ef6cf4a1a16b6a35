package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.Images;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AddPartitionsToTxnHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final TopicPartition ORDERS_0 = new TopicPartition("orders", 0);
    private static final TopicPartition ORDERS_1 = new TopicPartition("orders", 1);
    private final TxnTestContext txn = new TxnTestContext(testKit);
    private final TxnTestContext unanswered = new TxnTestContext(testKit, TxnTestContext.SHORT_ASK_TIMEOUT);
    private final AddPartitionsToTxnHandler handler = new AddPartitionsToTxnHandler();

    @BeforeEach
    void topics() {
        txn.broker.update(Images.withTopic(Images.cluster(TestBroker.NODE_1), "orders", Uuid.randomUuid(), 2, 1, 0));
    }

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void producerAddsPartitionsWithTransactionVersionOne() {
        CompletableFuture<ApiResponse> answer = txn.broker.call(
                handler,
                AddPartitionsToTxnRequest.Builder.forClient("t1", 7L, (short) 2, List.of(ORDERS_0, ORDERS_1))
                        .build((short) 3));

        TransactionCoordinator.AddPartitions add = txn.expect("t1", TransactionCoordinator.AddPartitions.class);
        assertThat(add.producerId()).isEqualTo(7L);
        assertThat(add.producerEpoch()).isEqualTo((short) 2);
        assertThat(add.partitions()).containsExactlyInAnyOrder(ORDERS_0, ORDERS_1);
        assertThat(add.transactionVersion()).isEqualTo((short) 0);
        add.replyTo()
                .tell(new TransactionCoordinator.PartitionErrors(
                        Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS, ORDERS_1, Errors.CONCURRENT_TRANSACTIONS)));

        AddPartitionsToTxnResponseData data = TestBroker.body(answer);
        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(data.resultsByTopicV3AndBelow()))
                .isEqualTo(Map.of(ORDERS_0, Errors.CONCURRENT_TRANSACTIONS, ORDERS_1, Errors.CONCURRENT_TRANSACTIONS));
        for (short v = 0; v <= 3; v++) {
            TxnTestContext.serializes(data, v);
        }
    }

    @Test
    void unknownTopicsFailAndTheRestIsNotAttempted() {
        TopicPartition missing = new TopicPartition("missing", 0);

        AddPartitionsToTxnResponseData data = TestBroker.body(txn.broker.call(
                handler,
                AddPartitionsToTxnRequest.Builder.forClient("t1", 7L, (short) 0, List.of(ORDERS_0, missing))
                        .build((short) 3)));

        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(data.resultsByTopicV3AndBelow()))
                .isEqualTo(
                        Map.of(ORDERS_0, Errors.OPERATION_NOT_ATTEMPTED, missing, Errors.UNKNOWN_TOPIC_OR_PARTITION));
        txn.coordinatorProbe("t1").expectNoMessage();
    }

    @Test
    void leadersVerifyOrAddInBatchesByTransaction() {
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(transaction("verify-me", true, 0));
        transactions.add(transaction("add-me", false, 1));

        CompletableFuture<ApiResponse> answer = txn.broker.call(
                handler,
                AddPartitionsToTxnRequest.Builder.forBroker(transactions).build((short) 5));

        TransactionCoordinator.VerifyPartitions verify =
                txn.expect("verify-me", TransactionCoordinator.VerifyPartitions.class);
        verify.replyTo()
                .tell(new TransactionCoordinator.PartitionErrors(Map.of(ORDERS_0, Errors.TRANSACTION_ABORTABLE)));
        TransactionCoordinator.AddPartitions add = txn.expect("add-me", TransactionCoordinator.AddPartitions.class);
        assertThat(add.transactionVersion()).isEqualTo((short) 2);
        add.replyTo().tell(new TransactionCoordinator.PartitionErrors(Map.of(ORDERS_1, Errors.NONE)));

        AddPartitionsToTxnResponse response = new AddPartitionsToTxnResponse(TestBroker.body(answer));
        assertThat(response.errors())
                .isEqualTo(Map.of(
                        "verify-me", Map.of(ORDERS_0, Errors.TRANSACTION_ABORTABLE),
                        "add-me", Map.of(ORDERS_1, Errors.NONE)));
        for (short v = 4; v <= 5; v++) {
            TxnTestContext.serializes(response.data(), v);
        }
    }

    @Test
    void anUnansweredCoordinatorIsNotAvailable() {
        unanswered.broker.update(txn.broker.image());
        AddPartitionsToTxnResponseData data = TestBroker.body(unanswered.broker.call(
                handler,
                AddPartitionsToTxnRequest.Builder.forClient("slow", 7L, (short) 0, List.of(ORDERS_0))
                        .build((short) 2)));

        assertThat(AddPartitionsToTxnResponse.errorsForTransaction(data.resultsByTopicV3AndBelow()))
                .isEqualTo(Map.of(ORDERS_0, Errors.COORDINATOR_NOT_AVAILABLE));
    }

    private static AddPartitionsToTxnTransaction transaction(String id, boolean verifyOnly, int partition) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic().setName("orders").setPartitions(List.of(partition)));
        return new AddPartitionsToTxnTransaction()
                .setTransactionalId(id)
                .setProducerId(9L)
                .setProducerEpoch((short) 1)
                .setVerifyOnly(verifyOnly)
                .setTopics(topics);
    }
}
