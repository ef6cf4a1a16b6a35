package io.varve.transport.api.admin.partitions;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.ReassignmentTarget;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterPartitionReassignments ({@code kafka-reassign-partitions.sh --execute}/{@code --cancel},
 * KIP-455): every partition's target replicas (null: cancel its move) go to the controller in one
 * {@code Controller.AlterReassignments}, answered once its events are persisted, with Kafka's
 * per-partition errors; the move itself goes on in the background (ListPartitionReassignments shows
 * it). v1's AllowReplicationFactorChange is passed on and echoed. A controller that does not answer
 * gives every partition REQUEST_TIMED_OUT. Stateless.
 */
public final class AlterPartitionReassignmentsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AlterPartitionReassignmentsRequestData data = ((AlterPartitionReassignmentsRequest) request).data();
        List<ReassignmentTarget> targets = new ArrayList<>();
        for (ReassignableTopic topic : data.topics()) {
            for (ReassignablePartition partition : topic.partitions()) {
                targets.add(new ReassignmentTarget(
                        topic.name(),
                        partition.partitionIndex(),
                        partition.replicas() == null ? List.of() : List.copyOf(partition.replicas()),
                        partition.replicas() == null));
            }
        }
        boolean allowRfChange = context.apiVersion() < 1 || data.allowReplicationFactorChange();
        CompletionStage<Controller.ReassignmentResults> asked = AdminAsk.ask(
                context.services().controller(),
                replyTo -> new Controller.AlterReassignments(List.copyOf(targets), allowRfChange, replyTo),
                context.services());
        return asked.handle((results, failure) -> {
            List<Controller.ReassignmentResult> answered = failure == null
                    ? results.results()
                    : failedAll(targets, AdminAsk.errorOf(failure, "the controller", context.services()));
            return new ApiResponse(response(answered, allowRfChange));
        });
    }

    private static List<Controller.ReassignmentResult> failedAll(List<ReassignmentTarget> targets, ApiError error) {
        return targets.stream()
                .map(t -> new Controller.ReassignmentResult(t.topic(), t.partition(), error.error(), error.message()))
                .toList();
    }

    private static AlterPartitionReassignmentsResponseData response(
            List<Controller.ReassignmentResult> results, boolean allowRfChange) {
        Map<String, ReassignableTopicResponse> byTopic = new LinkedHashMap<>();
        for (Controller.ReassignmentResult result : results) {
            byTopic.computeIfAbsent(result.topic(), name -> new ReassignableTopicResponse().setName(name))
                    .partitions()
                    .add(new ReassignablePartitionResponse()
                            .setPartitionIndex(result.partition())
                            .setErrorCode(result.error().code())
                            .setErrorMessage(result.error() == Errors.NONE ? null : result.message()));
        }
        return new AlterPartitionReassignmentsResponseData()
                .setAllowReplicationFactorChange(allowRfChange)
                .setResponses(new ArrayList<>(byTopic.values()));
    }
}
