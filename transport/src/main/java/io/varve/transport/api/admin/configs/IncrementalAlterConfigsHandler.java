package io.varve.transport.api.admin.configs;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp.OpType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * IncrementalAlterConfigs: per resource, SET/DELETE/APPEND/SUBTRACT applied to the current overrides
 * of the metadata image, the result validated and stored with {@code Controller.ReplaceConfigs}.
 * Topic, broker and group resources; the resources are answered in request order once all are done.
 */
public final class IncrementalAlterConfigsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.INCREMENTAL_ALTER_CONFIGS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        IncrementalAlterConfigsRequestData data = ((IncrementalAlterConfigsRequest) request).data();
        return ConfigChanges.alterEach(
                        List.copyOf(data.resources()),
                        r -> List.of(r.resourceType(), r.resourceName()),
                        resource -> alter(context.services(), resource, data.validateOnly()),
                        (resource, error) -> new AlterConfigsResourceResponse()
                                .setResourceType(resource.resourceType())
                                .setResourceName(resource.resourceName())
                                .setErrorCode(error.error().code())
                                .setErrorMessage(error.message()))
                .thenApply(answers -> {
                    IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
                    response.responses().addAll(answers);
                    return new ApiResponse(response);
                });
    }

    private static CompletionStage<ApiError> alter(
            BrokerServices services, AlterConfigsResource resource, boolean validateOnly) {
        List<String> names = new ArrayList<>();
        List<String> nullValued = new ArrayList<>();
        for (AlterableConfig config : resource.configs()) {
            names.add(config.name());
            if (config.value() == null && config.configOperation() != OpType.DELETE.id()) {
                nullValued.add(config.name());
            }
        }
        Optional<ApiError> badShape = ConfigChanges.checkShape(names, nullValued);
        if (badShape.isPresent()) {
            return CompletableFuture.completedFuture(badShape.get());
        }
        MetadataImage image = services.metadata().image();
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        Map<String, Object> defaults =
                services.topicConfigs().effective(Map.of()).values();
        if (type == ConfigResource.Type.TOPIC) {
            Optional<TopicImage> topic = image.topic(name);
            if (topic.isEmpty()) {
                return CompletableFuture.completedFuture(ConfigChanges.unknownTopic(name));
            }
            IncrementalChanges changes =
                    IncrementalChanges.forTopic(topic.get().configs(), key -> listString(defaults.get(key)));
            IncrementalChanges.Outcome outcome = changes.apply(resource.configs());
            return outcome.error() != null
                    ? CompletableFuture.completedFuture(outcome.error())
                    : ConfigChanges.replaceTopicConfigs(services, name, outcome.overrides(), validateOnly);
        }
        if (type == ConfigResource.Type.BROKER) {
            Optional<ApiError> wrongNode = ConfigChanges.checkBrokerName(name, services.nodeId(), false);
            if (wrongNode.isPresent()) {
                return CompletableFuture.completedFuture(wrongNode.get());
            }
            IncrementalChanges changes =
                    IncrementalChanges.forBroker(image.brokerConfigs(name), key -> listString(defaults.get(key)));
            IncrementalChanges.Outcome outcome = changes.apply(resource.configs());
            return outcome.error() != null
                    ? CompletableFuture.completedFuture(outcome.error())
                    : ConfigChanges.replaceBrokerConfigs(services, name, outcome.overrides(), validateOnly);
        }
        if (type == ConfigResource.Type.GROUP) {
            return GroupConfigChanges.alter(services, name, List.copyOf(resource.configs()), validateOnly);
        }
        return CompletableFuture.completedFuture(new ApiError(
                Errors.INVALID_REQUEST,
                "AlterConfigs is only supported for topics, brokers and groups, but resource type is " + type));
    }

    private static String listString(Object parsed) {
        return parsed instanceof List<?> list
                ? String.join(",", list.stream().map(String::valueOf).toList())
                : String.valueOf(parsed);
    }
}
