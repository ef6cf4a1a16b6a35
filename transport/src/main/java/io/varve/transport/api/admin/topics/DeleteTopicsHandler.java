package io.varve.transport.api.admin.topics;

import io.varve.metadata.Controller;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import io.varve.transport.api.admin.AdminAsk;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * DeleteTopics: by name (v1+) or by topic id (v6+). Names and ids are resolved against the metadata
 * image (unknown: UNKNOWN_TOPIC_OR_PARTITION / UNKNOWN_TOPIC_ID), the rest deleted by one {@code
 * Controller.DeleteTopics}; answered in request order.
 */
public final class DeleteTopicsHandler implements ApiHandler {
    /** One requested topic: as asked ({@code name} or {@code topicId}), resolved, or refused. */
    private record Target(String name, Uuid topicId, ApiError error) {}

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DeleteTopicsRequestData data = ((DeleteTopicsRequest) request).data();
        BrokerServices services = context.services();
        List<Target> targets =
                resolve(data, context.apiVersion(), services.metadata().image());
        List<String> names = targets.stream()
                .filter(t -> t.error() == null)
                .map(Target::name)
                .toList();
        if (names.isEmpty()) {
            return CompletableFuture.completedFuture(new ApiResponse(respond(targets, Map.of())));
        }
        CompletionStage<Controller.TopicResults> deleted = AdminAsk.ask(
                services.controller(), replyTo -> new Controller.DeleteTopics(names, List.of(), replyTo), services);
        return deleted.handle((results, failure) -> {
            Map<String, ApiError> outcomes = new HashMap<>();
            if (failure != null) {
                ApiError error = AdminAsk.errorOf(failure, "the controller", services);
                names.forEach(name -> outcomes.put(name, error));
            } else {
                results.results().forEach(r -> outcomes.put(r.name(), new ApiError(r.error(), r.message())));
            }
            return new ApiResponse(respond(targets, outcomes));
        });
    }

    private static List<Target> resolve(DeleteTopicsRequestData data, short version, MetadataImage image) {
        List<Target> targets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<Uuid> ids = new HashSet<>();
        if (version < 6) {
            data.topicNames().forEach(name -> targets.add(byName(name, image, names)));
            return targets;
        }
        for (DeleteTopicState state : data.topics()) {
            boolean hasId = !Uuid.ZERO_UUID.equals(state.topicId());
            if (state.name() != null && hasId) {
                targets.add(new Target(
                        state.name(),
                        state.topicId(),
                        new ApiError(Errors.INVALID_REQUEST, "You may not specify both topic name and topic id.")));
            } else if (hasId) {
                targets.add(byId(state.topicId(), image, ids));
            } else {
                targets.add(byName(state.name(), image, names));
            }
        }
        return targets;
    }

    private static Target byName(String name, MetadataImage image, Set<String> seen) {
        Optional<TopicImage> topic = image.topic(name);
        Uuid id = topic.map(TopicImage::topicId).orElse(Uuid.ZERO_UUID);
        if (!seen.add(name)) {
            return new Target(name, id, new ApiError(Errors.INVALID_REQUEST, "Duplicate topic name."));
        }
        return topic.isPresent()
                ? new Target(name, id, null)
                : new Target(name, id, new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION));
    }

    private static Target byId(Uuid topicId, MetadataImage image, Set<Uuid> seen) {
        Optional<TopicImage> topic = image.topic(topicId);
        String name = topic.map(TopicImage::name).orElse(null);
        if (!seen.add(topicId)) {
            return new Target(name, topicId, new ApiError(Errors.INVALID_REQUEST, "Duplicate topic id."));
        }
        return topic.isPresent()
                ? new Target(name, topicId, null)
                : new Target(null, topicId, new ApiError(Errors.UNKNOWN_TOPIC_ID));
    }

    private static DeleteTopicsResponseData respond(List<Target> targets, Map<String, ApiError> outcomes) {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (Target target : targets) {
            ApiError error = target.error() != null
                    ? target.error()
                    : outcomes.getOrDefault(
                            target.name(),
                            new ApiError(
                                    Errors.UNKNOWN_SERVER_ERROR,
                                    "the controller gave no result for topic " + target.name()));
            response.responses()
                    .add(new DeletableTopicResult()
                            .setName(target.name())
                            .setTopicId(target.topicId())
                            .setErrorCode(error.error().code())
                            .setErrorMessage(error.message()));
        }
        return response;
    }
}
