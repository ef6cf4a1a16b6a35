package io.varve.transport.api.admin.partitions;

import io.varve.partition.PartitionActor;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeProducersRequest;

/**
 * DescribeProducers: the active idempotent/transactional producers of each partition, from its
 * local leader's producer state ({@code PartitionActor.DescribeProducers}).
 */
public final class DescribeProducersHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeProducersRequestData data = ((DescribeProducersRequest) request).data();
        BrokerServices services = context.services();
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (TopicRequest topic : data.topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (int partition : topic.partitionIndexes()) {
                PartitionResponse result = new PartitionResponse().setPartitionIndex(partition);
                topicResponse.partitions().add(result);
                pending.add(describe(services, new TopicPartition(topic.name(), partition), result));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(done -> new ApiResponse(response));
    }

    private static CompletableFuture<Void> describe(
            BrokerServices services, TopicPartition tp, PartitionResponse result) {
        LeaderLookup.Found found = LeaderLookup.find(services, tp);
        if (found.leader() == null) {
            result.setErrorCode(found.error().code()).setErrorMessage(found.message());
            return CompletableFuture.completedFuture(null);
        }
        return AdminAsk.<PartitionActor.Command, PartitionActor.ProducersResponse>ask(
                        found.leader(), PartitionActor.DescribeProducers::new, services)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        ApiError error = AdminAsk.errorOf(failure, "partition " + tp, services);
                        result.setErrorCode(error.error().code()).setErrorMessage(error.message());
                    } else if (answer.error() != Errors.NONE) {
                        result.setErrorCode(answer.error().code());
                    } else {
                        result.setErrorCode(Errors.NONE.code()).setActiveProducers(producers(answer));
                    }
                    return (Void) null;
                })
                .toCompletableFuture();
    }

    private static List<ProducerState> producers(PartitionActor.ProducersResponse answer) {
        List<ProducerState> producers = new ArrayList<>();
        for (PartitionActor.ProducerState state : answer.producers()) {
            producers.add(new ProducerState()
                    .setProducerId(state.producerId())
                    .setProducerEpoch(state.producerEpoch())
                    .setLastSequence(state.lastSequence())
                    .setLastTimestamp(state.lastTimestamp())
                    .setCoordinatorEpoch(state.coordinatorEpoch())
                    .setCurrentTxnStartOffset(state.currentTxnStartOffset()));
        }
        return producers;
    }
}
