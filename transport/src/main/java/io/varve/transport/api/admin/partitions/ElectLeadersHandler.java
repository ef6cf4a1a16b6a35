package io.varve.transport.api.admin.partitions;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.ElectionType;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;

/**
 * ElectLeaders ({@code kafka-leader-election.sh}): PREFERRED (election type 0, the only one before v1)
 * or UNCLEAN (1) elections by the controller ({@code Controller.ElectLeaders}), answered once they
 * are persisted, with Kafka's per-partition error codes; null topic partitions means every partition,
 * answering only those that needed an election. An unknown election type is INVALID_REQUEST for
 * every named partition; a controller that does not answer, REQUEST_TIMED_OUT.
 */
public final class ElectLeadersHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ELECT_LEADERS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ElectLeadersRequestData data = ((ElectLeadersRequest) request).data();
        short version = context.apiVersion();
        Map<String, List<Integer>> named = named(data);
        ElectionType type = data.electionType() == 0
                ? ElectionType.PREFERRED
                : data.electionType() == 1 ? ElectionType.UNCLEAN : null;
        if (type == null) {
            ApiError invalid =
                    new ApiError(Errors.INVALID_REQUEST, "unknown election type " + data.electionType() + " (0 or 1)");
            return java.util.concurrent.CompletableFuture.completedFuture(
                    new ApiResponse(failed(named, invalid, version)));
        }
        CompletionStage<Controller.ElectionResults> asked = AdminAsk.ask(
                context.services().controller(),
                replyTo -> new Controller.ElectLeaders(type, named, replyTo),
                context.services());
        return asked.handle((results, failure) -> {
            if (failure != null) {
                return new ApiResponse(
                        failed(named, AdminAsk.errorOf(failure, "the controller", context.services()), version));
            }
            return new ApiResponse(answered(results));
        });
    }

    /** The named partitions by topic in request order (a partition named twice once); null for all. */
    private static Map<String, List<Integer>> named(ElectLeadersRequestData data) {
        if (data.topicPartitions() == null) {
            return null;
        }
        Map<String, Set<Integer>> byTopic = new LinkedHashMap<>();
        for (TopicPartitions topic : data.topicPartitions()) {
            byTopic.computeIfAbsent(topic.topic(), t -> new LinkedHashSet<>()).addAll(topic.partitions());
        }
        Map<String, List<Integer>> named = new LinkedHashMap<>();
        byTopic.forEach((topic, partitions) -> named.put(topic, List.copyOf(partitions)));
        return Map.copyOf(named);
    }

    private static ElectLeadersResponseData answered(Controller.ElectionResults results) {
        Map<String, ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        for (Controller.ElectionResult result : results.results()) {
            byTopic.computeIfAbsent(result.topic(), topic -> new ReplicaElectionResult().setTopic(topic))
                    .partitionResult()
                    .add(new PartitionResult()
                            .setPartitionId(result.partition())
                            .setErrorCode(result.error().code())
                            .setErrorMessage(result.error() == Errors.NONE ? null : result.message()));
        }
        return new ElectLeadersResponseData().setReplicaElectionResults(new ArrayList<>(byTopic.values()));
    }

    /** Every named partition answers {@code error}; with none named, the top-level error (v1+) does. */
    private static ElectLeadersResponseData failed(Map<String, List<Integer>> named, ApiError error, short version) {
        ElectLeadersResponseData response = new ElectLeadersResponseData();
        if (named == null) {
            if (version >= 1) {
                response.setErrorCode(error.error().code());
            }
            return response;
        }
        named.forEach((topic, partitions) -> {
            ReplicaElectionResult result = new ReplicaElectionResult().setTopic(topic);
            partitions.forEach(partition -> result.partitionResult()
                    .add(new PartitionResult()
                            .setPartitionId(partition)
                            .setErrorCode(error.error().code())
                            .setErrorMessage(error.message())));
            response.replicaElectionResults().add(result);
        });
        return response;
    }
}
