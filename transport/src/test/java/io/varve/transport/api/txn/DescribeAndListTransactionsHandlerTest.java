package io.varve.transport.api.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.ApiResponse;
import io.varve.transport.testing.TestBroker;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.utils.Utils;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DescribeAndListTransactionsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TxnTestContext txn = new TxnTestContext(testKit);

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void describesEachIdWithItsPartitionsAndGroupOffsetsPartition() {
        CompletableFuture<ApiResponse> answer = txn.broker.call(
                new DescribeTransactionsHandler(),
                new DescribeTransactionsRequest.Builder(
                                new DescribeTransactionsRequestData().setTransactionalIds(List.of("t1", "gone")))
                        .build((short) 0));

        txn.expect("t1", TransactionCoordinator.Describe.class)
                .replyTo()
                .tell(new TransactionCoordinator.TransactionDescription(
                        Errors.NONE,
                        "Ongoing",
                        7L,
                        (short) 2,
                        60_000,
                        1234L,
                        List.of(new TopicPartition("a", 0), new TopicPartition("a", 3)),
                        List.of("readers")));
        txn.expect("gone", TransactionCoordinator.Describe.class)
                .replyTo()
                .tell(new TransactionCoordinator.TransactionDescription(
                        Errors.TRANSACTIONAL_ID_NOT_FOUND, "", -1, (short) -1, 0, -1, List.of(), List.of()));

        DescribeTransactionsResponseData data = TestBroker.body(answer);
        DescribeTransactionsResponseData.TransactionState t1 =
                data.transactionStates().get(0);
        assertThat(t1.transactionalId()).isEqualTo("t1");
        assertThat(t1.transactionState()).isEqualTo("Ongoing");
        assertThat(t1.producerId()).isEqualTo(7L);
        assertThat(t1.producerEpoch()).isEqualTo((short) 2);
        assertThat(t1.transactionStartTimeMs()).isEqualTo(1234L);
        assertThat(t1.topics())
                .extracting(TopicData::topic, TopicData::partitions)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a", List.of(0, 3)),
                        org.assertj.core.groups.Tuple.tuple(
                                "__consumer_offsets", List.of(Utils.abs("readers".hashCode()) % 50)));
        assertThat(data.transactionStates().get(1).errorCode()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND.code());
        TxnTestContext.serializes(data, (short) 0);
    }

    @Test
    void listsFromTheRegistryWithEveryVersionsFilters() {
        for (short version = 0; version <= 2; version++) {
            CompletableFuture<ApiResponse> answer = txn.broker.call(
                    new ListTransactionsHandler(),
                    new ListTransactionsRequest.Builder(new ListTransactionsRequestData()
                                    .setStateFilters(List.of("Ongoing", "Bogus"))
                                    .setProducerIdFilters(List.of(7L))
                                    .setDurationFilter(version >= 1 ? 5_000 : -1)
                                    .setTransactionalIdPattern(version >= 2 ? "t.*" : null))
                            .build(version));

            TransactionRegistry.ListTransactions list =
                    txn.registry.expectMessageClass(TransactionRegistry.ListTransactions.class);
            assertThat(list.states()).isEqualTo(Set.of("Ongoing"));
            assertThat(list.producerIds()).isEqualTo(Set.of(7L));
            assertThat(list.durationMs()).isEqualTo(version >= 1 ? 5_000 : -1);
            assertThat(list.idPattern()).isEqualTo(version >= 2 ? "t.*" : null);
            list.replyTo()
                    .tell(new TransactionRegistry.Listing(
                            Errors.NONE, List.of(new TransactionRegistry.TransactionListing("t1", 7L, "Ongoing", 1L))));

            ListTransactionsResponseData data = TestBroker.body(answer);
            assertThat(data.unknownStateFilters()).containsExactly("Bogus");
            assertThat(data.transactionStates())
                    .extracting(
                            ListTransactionsResponseData.TransactionState::transactionalId,
                            ListTransactionsResponseData.TransactionState::transactionState)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("t1", "Ongoing"));
            TxnTestContext.serializes(data, version);
        }
    }
}
