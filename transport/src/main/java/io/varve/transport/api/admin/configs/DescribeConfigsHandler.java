package io.varve.transport.api.admin.configs;

import io.varve.metadata.MetadataImage;
import io.varve.partition.cleaner.CleanerSettings;
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
    private final CleanerSettings cleaner;

    public DescribeConfigsHandler(Path logDir) {
        this(logDir, CleanerSettings.defaults());
    }

    /** @param cleaner the node's log cleaner settings, reported under Kafka's {@code log.cleaner.*} names */
    public DescribeConfigsHandler(Path logDir, CleanerSettings cleaner) {
        this.logDir = logDir;
        this.cleaner = cleaner;
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
        TopicConfigDescriber topics = TopicConfigDescriber.of(services);
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsResource resource : data.resources()) {
            Described described = describe(resource, services, image, topics);
            DescribeConfigsResult result = new DescribeConfigsResult()
                    .setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName())
                    .setErrorCode(described.error().error().code())
                    .setErrorMessage(described.error().message());
            for (ConfigView view : described.views()) {
                if (isRequested(resource, view.name())) {
                    result.configs().add(view.toDescribeResult(data.includeSynonyms(), data.includeDocumentation()));
                }
            }
            response.results().add(result);
        }
        return CompletableFuture.completedFuture(new ApiResponse(response));
    }

    private Described describe(
            DescribeConfigsResource resource,
            BrokerServices services,
            MetadataImage image,
            TopicConfigDescriber topics) {
        ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
        String name = resource.resourceName();
        switch (type) {
            case TOPIC:
                try {
                    Topic.validate(name);
                } catch (InvalidTopicException e) {
                    return Described.failed(ApiError.fromThrowable(e));
                }
                return image.topic(name)
                        .map(topic -> new Described(topics.describe(topic.configs()), ApiError.NONE))
                        .orElseGet(() -> Described.failed(ConfigChanges.unknownTopic(name)));
            case BROKER:
                Optional<ApiError> wrongNode = ConfigChanges.checkBrokerName(name, services.nodeId(), true);
                if (wrongNode.isPresent()) {
                    return Described.failed(wrongNode.get());
                }
                BrokerConfigDescriber brokers = new BrokerConfigDescriber(
                        topics,
                        image.brokerConfigs(Integer.toString(services.nodeId())),
                        image.brokerConfigs(MetadataImage.CLUSTER_LEVEL),
                        cleaner);
                return new Described(
                        name.isEmpty()
                                ? brokers.describeClusterDefault()
                                : brokers.describeNode(services, logDir, resource.configurationKeys()),
                        ApiError.NONE);
            default:
                return Described.failed(new ApiError(Errors.INVALID_REQUEST, "Unsupported resource type: " + type));
        }
    }

    /** Kafka: no keys (null or empty) means every config. */
    private static boolean isRequested(DescribeConfigsResource resource, String name) {
        List<String> keys = resource.configurationKeys();
        return keys == null || keys.isEmpty() || keys.contains(name);
    }

    /** A resource's configs, or the error that replaces them (Kafka then sends no configs). */
    private record Described(List<ConfigView> views, ApiError error) {
        static Described failed(ApiError error) {
            return new Described(List.of(), error);
        }
    }
}
