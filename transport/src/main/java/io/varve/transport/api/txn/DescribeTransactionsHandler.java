package io.varve.transport.api.txn;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.txn.TransactionCoordinator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.utils.Utils;

/**
 * DescribeTransactions: each id's state, producer, timeout, start time and partitions from its
 * coordinator entity; TRANSACTIONAL_ID_NOT_FOUND for an unknown id. A consumer group in the
 * transaction is shown as Kafka shows it: its {@code __consumer_offsets} partition ({@code
 * abs(hash(groupId)) % 50}). Stateless.
 */
public final class DescribeTransactionsHandler implements ApiHandler {
    static final String OFFSETS_TOPIC = "__consumer_offsets";
    private static final int OFFSETS_TOPIC_PARTITIONS = 50;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_TRANSACTIONS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeTransactionsRequestData data = ((DescribeTransactionsRequest) request).data();
        List<CompletableFuture<TransactionState>> states = new ArrayList<>();
        for (String id : data.transactionalIds()) {
            states.add(describe(context, id));
        }
        return CompletableFuture.allOf(states.toArray(new CompletableFuture<?>[0]))
                .thenApply(done -> {
                    DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
                    states.forEach(state -> response.transactionStates().add(state.join()));
                    return new ApiResponse(response);
                });
    }

    private static CompletableFuture<TransactionState> describe(RequestContext context, String id) {
        TransactionState state = new TransactionState().setTransactionalId(id);
        if (!TxnAsk.available(context)) {
            return CompletableFuture.completedFuture(state.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()));
        }
        return TxnAsk.<TransactionCoordinator.TransactionDescription>askAsCoordinator(
                        context, id, TransactionCoordinator.Describe::new)
                .handle((description, failure) -> {
                    if (failure != null) {
                        return state.setErrorCode(TxnAsk.error(failure).code());
                    }
                    if (description.error() != Errors.NONE) {
                        return state.setErrorCode(description.error().code());
                    }
                    return state.setErrorCode(Errors.NONE.code())
                            .setTransactionState(description.state())
                            .setProducerId(description.producerId())
                            .setProducerEpoch(description.producerEpoch())
                            .setTransactionTimeoutMs(description.txnTimeoutMs())
                            .setTransactionStartTimeMs(description.txnStartTimestamp())
                            .setTopics(topics(description));
                });
    }

    private static DescribeTransactionsResponseData.TopicDataCollection topics(
            TransactionCoordinator.TransactionDescription description) {
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (TopicPartition tp : description.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        for (String group : description.groups()) {
            List<Integer> offsets = byTopic.computeIfAbsent(OFFSETS_TOPIC, t -> new ArrayList<>());
            int partition = Utils.abs(group.hashCode()) % OFFSETS_TOPIC_PARTITIONS;
            if (!offsets.contains(partition)) {
                offsets.add(partition);
            }
        }
        DescribeTransactionsResponseData.TopicDataCollection topics =
                new DescribeTransactionsResponseData.TopicDataCollection();
        byTopic.forEach((topic, partitions) ->
                topics.add(new TopicData().setTopic(topic).setPartitions(partitions)));
        return topics;
    }
}
