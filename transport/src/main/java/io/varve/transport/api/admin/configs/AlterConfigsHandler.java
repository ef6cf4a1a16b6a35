package io.varve.transport.api.admin.configs;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.ApiError;

/**
 * The legacy AlterConfigs: each resource's configs are replaced by exactly the given keys (a key left
 * out returns to its default), validated and stored with {@code Controller.ReplaceConfigs} (groups:
 * {@code ReplaceGroupConfigs}). Topic, broker and group resources; answered in request order once all
 * are done.
 */
public final class AlterConfigsHandler implements ApiHandler {
    @Override
    public ApiKeys apiKey() {
        return ApiKeys.ALTER_CONFIGS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        AlterConfigsRequestData data = ((AlterConfigsRequest) request).data();
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
                    AlterConfigsResponseData response = new AlterConfigsResponseData();
                    response.responses().addAll(answers);
                    return new ApiResponse(response);
                });
    }

    private static CompletionStage<ApiError> alter(
            BrokerServices services, AlterConfigsResource resource, boolean validateOnly) {
        List<String> names = new ArrayList<>();
        List<String> nullValued = new ArrayList<>();
        Map<String, String> configs = new HashMap<>();
        for (AlterableConfig config : resource.configs()) {
            names.add(config.name());
            if (config.value() == null) {
                nullValued.add(config.name());
            }
            configs.put(config.name(), config.value());
        }
        Optional<ApiError> badShape = ConfigChanges.checkShape(names, nullValued);
        if (badShape.isPresent()) {
            return CompletableFuture.completedFuture(badShape.get());
        }
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        if (type == ConfigResource.Type.TOPIC) {
            if (services.metadata().image().topic(name).isEmpty()) {
                return CompletableFuture.completedFuture(ConfigChanges.unknownTopic(name));
            }
            return ConfigChanges.replaceTopicConfigs(services, name, configs, validateOnly);
        }
        if (type == ConfigResource.Type.BROKER) {
            Optional<ApiError> wrongNode = ConfigChanges.checkBrokerName(name, services.nodeId(), false);
            return wrongNode.isPresent()
                    ? CompletableFuture.completedFuture(wrongNode.get())
                    : ConfigChanges.replaceBrokerConfigs(services, name, configs, validateOnly);
        }
        if (type == ConfigResource.Type.GROUP) {
            return GroupConfigChanges.replace(services, name, configs, validateOnly);
        }
        return CompletableFuture.completedFuture(new ApiError(
                Errors.INVALID_REQUEST,
                "AlterConfigs is only supported for topics, brokers and groups, but resource type is " + type));
    }
}
