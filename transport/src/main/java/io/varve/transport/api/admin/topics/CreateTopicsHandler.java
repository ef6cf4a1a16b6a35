package io.varve.transport.api.admin.topics;

import io.varve.metadata.Controller;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import io.varve.transport.api.admin.configs.ConfigView;
import io.varve.transport.api.admin.configs.TopicConfigDescriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics (v2+): checks each topic, asks the controller to create the valid ones and, unless
 * {@code validateOnly}, answers a created topic only once its partitions are hosted on this node, so
 * the topic is writable the moment the client sees success (Kafka may briefly answer NOT_LEADER
 * there; Varve does not). v5+ answers carry the partition count, replication factor and the
 * topic's effective configs; v7+ the topic id.
 */
public final class CreateTopicsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.CREATE_TOPICS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        CreateTopicsRequestData data = ((CreateTopicsRequest) request).data();
        BrokerServices services = context.services();
        Set<String> duplicates = NewTopicRequests.duplicateNames(data.topics());
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        List<Controller.NewTopic> valid = new ArrayList<>();
        for (CreatableTopic topic : data.topics()) {
            if (duplicates.contains(topic.name())) {
                continue;
            }
            NewTopicRequests.Checked checked =
                    NewTopicRequests.check(topic, services.settings(), services.topicConfigs());
            if (checked.error() != null) {
                response.topics().add(failure(topic.name(), checked.error()));
            } else {
                valid.add(checked.topic());
            }
        }
        // Kafka answers each duplicated name once, INVALID_REQUEST.
        duplicates.forEach(name ->
                response.topics().add(failure(name, new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."))));
        if (valid.isEmpty()) {
            return CompletableFuture.completedFuture(new ApiResponse(response));
        }
        CompletionStage<Controller.TopicResults> created = AdminAsk.ask(
                services.controller(),
                replyTo -> new Controller.CreateTopics(List.copyOf(valid), data.validateOnly(), replyTo),
                services);
        return created.handle((results, failure) -> failure == null
                        ? onCreated(services, results, data, response)
                        : onControllerFailed(services, valid, failure, response))
                .thenCompose(stage -> stage)
                .thenApply(ApiResponse::new);
    }

    private static CompletionStage<CreateTopicsResponseData> onCreated(
            BrokerServices services,
            Controller.TopicResults results,
            CreateTopicsRequestData data,
            CreateTopicsResponseData response) {
        boolean validateOnly = data.validateOnly();
        Duration wait = NewTopicRequests.readinessWait(services.settings().askTimeout(), data.timeoutMs());
        TopicConfigDescriber describer = TopicConfigDescriber.of(services);
        List<CompletableFuture<CreatableTopicResult>> answers = new ArrayList<>();
        for (Controller.TopicResult result : results.results()) {
            if (result.error() != Errors.NONE) {
                answers.add(CompletableFuture.completedFuture(
                        failure(result.name(), new ApiError(result.error(), result.message()))));
                continue;
            }
            CreatableTopicResult success = success(result, describer);
            if (validateOnly) {
                answers.add(CompletableFuture.completedFuture(success));
            } else {
                answers.add(awaitHosted(services, result, success, wait));
            }
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    answers.forEach(answer -> response.topics().add(answer.join()));
                    return response;
                });
    }

    private static CompletableFuture<CreatableTopicResult> awaitHosted(
            BrokerServices services, Controller.TopicResult result, CreatableTopicResult success, Duration wait) {
        // every partition, at its leader: across a cluster the leaders are on other nodes too
        List<TopicPartition> hostedHere = new ArrayList<>();
        for (int partition = 0; partition < result.numPartitions(); partition++) {
            hostedHere.add(new TopicPartition(result.name(), partition));
        }
        long timeoutMs = wait.toMillis();
        return services.partitions()
                .awaitHosted(hostedHere, wait)
                .thenApply(hosted -> hosted
                        ? success
                        : failure(
                                result.name(),
                                new ApiError(
                                        Errors.REQUEST_TIMED_OUT,
                                        "Topic '" + result.name() + "' was created but its " + hostedHere.size()
                                                + " partition(s) were not ready within " + timeoutMs + " ms")))
                .toCompletableFuture();
    }

    private static CompletionStage<CreateTopicsResponseData> onControllerFailed(
            BrokerServices services,
            List<Controller.NewTopic> requested,
            Throwable failure,
            CreateTopicsResponseData response) {
        ApiError error = AdminAsk.errorOf(failure, "the controller", services);
        requested.forEach(topic -> response.topics().add(failure(topic.name(), error)));
        return CompletableFuture.completedFuture(response);
    }

    private static CreatableTopicResult success(Controller.TopicResult result, TopicConfigDescriber describer) {
        CreatableTopicResult answer = new CreatableTopicResult()
                .setName(result.name())
                .setTopicId(result.topicId())
                .setErrorCode(Errors.NONE.code())
                .setErrorMessage(null)
                .setNumPartitions(result.numPartitions())
                .setReplicationFactor(result.replicationFactor());
        List<CreatableTopicConfigs> configs = new ArrayList<>();
        for (ConfigView view : describer.describe(result.configs())) {
            configs.add(new CreatableTopicConfigs()
                    .setName(view.name())
                    .setValue(view.value())
                    .setReadOnly(view.readOnly())
                    .setConfigSource(view.source().id())
                    .setIsSensitive(false));
        }
        return answer.setConfigs(configs);
    }

    private static CreatableTopicResult failure(String name, ApiError error) {
        return new CreatableTopicResult()
                .setName(name)
                .setErrorCode(error.error().code())
                .setErrorMessage(error.message());
    }
}
