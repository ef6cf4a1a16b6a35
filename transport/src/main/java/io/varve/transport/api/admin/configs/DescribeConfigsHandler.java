package io.varve.transport.api.admin.configs;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs (v1+): topic resources with every topic config, its source and synonyms; broker
 * resources for this node or the cluster default. Answers from the metadata image alone, on the
 * caller's thread.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    private final Path logDir;

    public DescribeConfigsHandler(Path logDir) {
        this.logDir = logDir;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CONFIGS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeConfigsRequestData data = ((DescribeConfigsRequest) request).data();
        BrokerServices services = context.services();
        MetadataImage image = services.metadata().image();
        TopicConfigDescriber topics =
                new TopicConfigDescriber(services.topicConfigs().brokerDefaults(), image.brokerConfigs());
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResult result;
            try {
                List<ConfigView> views = describe(resource, services, image, topics);
                result = new DescribeConfigsResult().setErrorCode(Errors.NONE.code());
                for (ConfigView view : views) {
                    if (isRequested(resource, view.name())) {
                        result.configs()
                                .add(view.toDescribeResult(data.includeSynonyms(), data.includeDocumentation()));
                    }
                }
            } catch (ResourceException e) {
                result = new DescribeConfigsResult()
                        .setErrorCode(e.error.error().code())
                        .setErrorMessage(e.error.message());
            }
            response.results()
                    .add(result.setResourceType(resource.resourceType()).setResourceName(resource.resourceName()));
        }
        return CompletableFuture.completedFuture(new ApiResponse(response));
    }

    private List<ConfigView> describe(
            DescribeConfigsResource resource, BrokerServices services, MetadataImage image, TopicConfigDescriber topics)
            throws ResourceException {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        switch (type) {
            case TOPIC:
                try {
                    Topic.validate(name);
                } catch (InvalidTopicException e) {
                    throw new ResourceException(ApiError.fromThrowable(e));
                }
                Optional<TopicImage> topic = image.topic(name);
                if (topic.isEmpty()) {
                    throw new ResourceException(ConfigChanges.unknownTopic(name));
                }
                return topics.describe(topic.get().configs());
            case BROKER:
                Optional<ApiError> wrongNode = ConfigChanges.checkBrokerName(name, services.nodeId(), true);
                if (wrongNode.isPresent()) {
                    throw new ResourceException(wrongNode.get());
                }
                BrokerConfigDescriber brokers = new BrokerConfigDescriber(topics, image.brokerConfigs());
                return name.isEmpty() ? brokers.describeClusterDefault() : brokers.describeNode(services, logDir);
            default:
                throw new ResourceException(new ApiError(Errors.INVALID_REQUEST, "Unsupported resource type: " + type));
        }
    }

    /** Kafka: no keys (null or empty) means every config. */
    private static boolean isRequested(DescribeConfigsResource resource, String name) {
        List<String> keys = resource.configurationKeys();
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    /** A resource's failure, carried out of the describe switch; never leaves this class. */
    private static final class ResourceException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ApiError error;

        ResourceException(ApiError error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }
}
