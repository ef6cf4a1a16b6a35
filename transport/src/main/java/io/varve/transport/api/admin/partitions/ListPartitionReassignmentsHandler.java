package io.varve.transport.api.admin.partitions;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.OngoingReassignment;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingPartitionReassignment;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData.OngoingTopicReassignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * ListPartitionReassignments ({@code kafka-reassign-partitions.sh --verify}/{@code --list}): the
 * moves in progress of the named partitions (null topics: all) from the controller, each with its
 * current replicas and the adding and removing replicas; partitions without a move, or that do not
 * exist, are left out, as Kafka does. A controller that does not answer is the top-level
 * REQUEST_TIMED_OUT. Stateless.
 */
public final class ListPartitionReassignmentsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_PARTITION_REASSIGNMENTS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ListPartitionReassignmentsRequestData data = ((ListPartitionReassignmentsRequest) request).data();
        Map<String, List<Integer>> partitions = data.topics() == null ? null : named(data.topics());
        CompletionStage<Controller.OngoingReassignments> asked = AdminAsk.ask(
                context.services().controller(),
                replyTo -> new Controller.ListReassignments(partitions, replyTo),
                context.services());
        return asked.handle((ongoing, failure) -> {
            if (failure != null) {
                ApiError error = AdminAsk.errorOf(failure, "the controller", context.services());
                return new ApiResponse(new ListPartitionReassignmentsResponseData()
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
            }
            return new ApiResponse(response(ongoing.reassignments()));
        });
    }

    /** Topic name to the partition indexes named (a topic named twice: both lists). */
    private static Map<String, List<Integer>> named(List<ListPartitionReassignmentsTopics> topics) {
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        for (ListPartitionReassignmentsTopics topic : topics) {
            byTopic.computeIfAbsent(topic.name(), name -> new ArrayList<>()).addAll(topic.partitionIndexes());
        }
        Map<String, List<Integer>> named = new LinkedHashMap<>();
        byTopic.forEach((topic, indexes) -> named.put(topic, List.copyOf(indexes)));
        return Map.copyOf(named);
    }

    private static ListPartitionReassignmentsResponseData response(List<OngoingReassignment> ongoing) {
        Map<String, OngoingTopicReassignment> byTopic = new LinkedHashMap<>();
        for (OngoingReassignment move : ongoing) {
            byTopic.computeIfAbsent(move.topic(), name -> new OngoingTopicReassignment().setName(name))
                    .partitions()
                    .add(new OngoingPartitionReassignment()
                            .setPartitionIndex(move.partition())
                            .setReplicas(new ArrayList<>(move.replicas()))
                            .setAddingReplicas(new ArrayList<>(move.adding()))
                            .setRemovingReplicas(new ArrayList<>(move.removing())));
        }
        return new ListPartitionReassignmentsResponseData().setTopics(new ArrayList<>(byTopic.values()));
    }
}
