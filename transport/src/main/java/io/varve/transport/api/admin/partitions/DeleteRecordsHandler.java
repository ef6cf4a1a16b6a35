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
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords: asks each partition's local leader to move its log start offset ({@code
 * PartitionActor.DeleteRecords}) and answers the new low watermarks; a partition that cannot be
 * reached answers its error with low watermark -1.
 */
public final class DeleteRecordsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteRecordsRequestData data = ((DeleteRecordsRequest) request).data();
        BrokerServices services = context.services();
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (DeleteRecordsTopic topic : data.topics()) {
            DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            for (DeleteRecordsPartition partition : topic.partitions()) {
                DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                        .setPartitionIndex(partition.partitionIndex())
                        .setLowWatermark(-1L);
                topicResult.partitions().add(result);
                TopicPartition tp = new TopicPartition(topic.name(), partition.partitionIndex());
                pending.add(delete(services, tp, partition.offset(), result));
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .thenApply(done -> new ApiResponse(response));
    }

    /** Fills {@code result} in when the partition answers; results are only written on this path. */
    private static CompletableFuture<Void> delete(
            BrokerServices services, TopicPartition tp, long offset, DeleteRecordsPartitionResult result) {
        LeaderLookup.Found found = LeaderLookup.find(services, tp);
        if (found.leader() == null) {
            result.setErrorCode(found.error().code());
            return CompletableFuture.completedFuture(null);
        }
        return AdminAsk.<PartitionActor.Command, PartitionActor.DeleteRecordsResponse>ask(
                        found.leader(), replyTo -> new PartitionActor.DeleteRecords(offset, replyTo), services)
                .handle((answer, failure) -> {
                    if (failure != null) {
                        result.setErrorCode(AdminAsk.errorOf(failure, "partition " + tp, services)
                                .error()
                                .code());
                    } else {
                        result.setErrorCode(answer.error().code())
                                .setLowWatermark(answer.error() == Errors.NONE ? answer.lowWatermark() : -1L);
                    }
                    return (Void) null;
                })
                .toCompletableFuture();
    }
}
