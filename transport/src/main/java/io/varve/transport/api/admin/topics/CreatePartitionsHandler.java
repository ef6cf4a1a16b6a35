package io.varve.transport.api.admin.topics;

import io.varve.metadata.Controller;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/**
 * CreatePartitions: raises topics' partition counts through {@code Controller.CreatePartitions}
 * (which checks counts and assignments) and, unless {@code validateOnly}, answers a topic once its
 * new partitions are hosted here. A name given twice is refused as Kafka does, and so is an empty
 * (rather than absent) assignment list (INVALID_REPLICA_ASSIGNMENT).
 */
public final class CreatePartitionsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_PARTITIONS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        CreatePartitionsRequestData data = ((CreatePartitionsRequest) request).data();
        BrokerServices services = context.services();
        MetadataImage before = services.metadata().image();
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        data.topics().forEach(topic -> {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        });
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        List<Controller.PartitionsIncrease> increases = new ArrayList<>();
        for (CreatePartitionsTopic topic : data.topics()) {
            if (duplicates.contains(topic.name())) {
                continue;
            }
            ApiError noAssignments = emptyAssignments(before, topic);
            if (noAssignments != null) {
                response.results().add(result(topic.name(), noAssignments));
            } else {
                increases.add(increase(topic));
            }
        }
        duplicates.forEach(name ->
                response.results().add(result(name, new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."))));
        if (increases.isEmpty()) {
            return CompletableFuture.completedFuture(new ApiResponse(response));
        }
        CompletionStage<Controller.TopicResults> asked = AdminAsk.ask(
                services.controller(),
                replyTo -> new Controller.CreatePartitions(List.copyOf(increases), data.validateOnly(), replyTo),
                services);
        return asked.handle((results, failure) -> {
                    if (failure != null) {
                        ApiError error = AdminAsk.errorOf(failure, "the controller", services);
                        increases.forEach(i -> response.results().add(result(i.topic(), error)));
                        return CompletableFuture.completedFuture(response);
                    }
                    return onIncreased(services, before, increases, results, data, response);
                })
                .thenCompose(stage -> stage)
                .thenApply(ApiResponse::new);
    }

    /**
     * An empty (not absent) assignment list for a real increase: Kafka's controller refuses it, where
     * the controller here reads "no assignments" for both. Null when that is not the case.
     */
    private static ApiError emptyAssignments(MetadataImage image, CreatePartitionsTopic topic) {
        if (topic.assignments() == null || !topic.assignments().isEmpty()) {
            return null;
        }
        int current = image.topic(topic.name()).map(t -> t.partitions().size()).orElse(-1);
        if (current < 0 || topic.count() <= current) {
            return null; // the controller answers UNKNOWN_TOPIC_OR_PARTITION or INVALID_PARTITIONS first
        }
        return new ApiError(
                Errors.INVALID_REPLICA_ASSIGNMENT,
                "Attempted to add " + (topic.count() - current)
                        + " additional partition(s), but only 0 assignment(s) were specified.");
    }

    private static Controller.PartitionsIncrease increase(CreatePartitionsTopic topic) {
        List<List<Integer>> assignments = new ArrayList<>();
        if (topic.assignments() != null) {
            for (CreatePartitionsAssignment assignment : topic.assignments()) {
                assignments.add(List.copyOf(assignment.brokerIds()));
            }
        }
        return new Controller.PartitionsIncrease(topic.name(), topic.count(), List.copyOf(assignments));
    }

    private static CompletionStage<CreatePartitionsResponseData> onIncreased(
            BrokerServices services,
            MetadataImage before,
            List<Controller.PartitionsIncrease> increases,
            Controller.TopicResults results,
            CreatePartitionsRequestData data,
            CreatePartitionsResponseData response) {
        boolean validateOnly = data.validateOnly();
        Duration wait = NewTopicRequests.readinessWait(services.settings().askTimeout(), data.timeoutMs());
        Map<String, Controller.PartitionsIncrease> byName = new HashMap<>();
        increases.forEach(i -> byName.put(i.topic(), i));
        List<CompletableFuture<CreatePartitionsTopicResult>> answers = new ArrayList<>();
        for (Controller.TopicResult result : results.results()) {
            ApiError error = new ApiError(result.error(), result.message());
            if (result.error() != Errors.NONE || validateOnly) {
                answers.add(CompletableFuture.completedFuture(result(result.name(), error)));
            } else {
                answers.add(awaitNewPartitions(services, before, byName.get(result.name()), result, wait));
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    answers.forEach(answer -> response.results().add(answer.join()));
                    return response;
                });
    }

    private static CompletableFuture<CreatePartitionsTopicResult> awaitNewPartitions(
            BrokerServices services,
            MetadataImage before,
            Controller.PartitionsIncrease increase,
            Controller.TopicResult result,
            Duration wait) {
        int oldCount = before.topic(result.name())
                .map(TopicImage::partitions)
                .map(Map::size)
                .orElse(0);
        int newCount = increase == null ? result.numPartitions() : increase.totalCount();
        List<TopicPartition> added = new ArrayList<>();
        for (int partition = oldCount; partition < newCount; partition++) {
            List<Integer> replicas = increase == null || increase.assignments().size() <= partition - oldCount
                    ? null
                    : increase.assignments().get(partition - oldCount);
            if (replicas == null || replicas.contains(services.nodeId())) {
                added.add(new TopicPartition(result.name(), partition));
            }
        }
        long timeoutMs = wait.toMillis();
        return services.partitions()
                .awaitHosted(added, wait)
                .thenApply(hosted -> hosted
                        ? result(result.name(), ApiError.NONE)
                        : result(
                                result.name(),
                                new ApiError(
                                        Errors.REQUEST_TIMED_OUT,
                                        "Partitions of '" + result.name() + "' were created but " + added.size()
                                                + " new partition(s) were not ready within " + timeoutMs + " ms")))
                .toCompletableFuture();
    }

    private static CreatePartitionsTopicResult result(String name, ApiError error) {
        return new CreatePartitionsTopicResult()
                .setName(name)
                .setErrorCode(error.error().code())
                .setErrorMessage(error.message());
    }
}
