package io.varve.transport.api.admin.configs;

import io.varve.metadata.ControllerSettings.LeaderBalanceSettings;
import io.varve.metadata.MetadataImage;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.RequestContext;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * resources for this node or the cluster default, from the metadata image on the caller's thread; group
 * resources (every Kafka group config, its stored value or default) from the controller.
 */
public final class DescribeConfigsHandler implements ApiHandler {
    private final Path logDir;
    private final CleanerSettings cleaner;
    private final LeaderBalanceSettings leaderBalance;

    public DescribeConfigsHandler(Path logDir) {
        this(logDir, CleanerSettings.defaults());
    }

    /** @param cleaner the node's log cleaner settings, reported under Kafka's {@code log.cleaner.*} names */
    public DescribeConfigsHandler(Path logDir, CleanerSettings cleaner) {
        this(logDir, cleaner, LeaderBalanceSettings.DEFAULTS);
    }

    /**
     * @param leaderBalance the controller's automatic leader rebalancing, reported under Kafka's names
     *     ({@code auto.leader.rebalance.enable}, {@code leader.imbalance.*})
     */
    public DescribeConfigsHandler(Path logDir, CleanerSettings cleaner, LeaderBalanceSettings leaderBalance) {
        this.logDir = logDir;
        this.cleaner = cleaner;
        this.leaderBalance = leaderBalance;
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
        List<CompletableFuture<DescribeConfigsResult>> results = new ArrayList<>();
        for (DescribeConfigsResource resource : data.resources()) {
            results.add(describeAsync(resource, services, image, topics)
                    .thenApply(described -> toResult(resource, described, data))
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(done -> {
                    DescribeConfigsResponseData response = new DescribeConfigsResponseData();
                    results.forEach(result -> response.results().add(result.join()));
                    return new ApiResponse(response);
                });
    }

    private static DescribeConfigsResult toResult(
            DescribeConfigsResource resource, Described described, DescribeConfigsRequestData data) {
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
        return result;
    }

    /** Group resources ask the controller for the group's stored configs; the others are answered at once. */
    private CompletionStage<Described> describeAsync(
            DescribeConfigsResource resource,
            BrokerServices services,
            MetadataImage image,
            TopicConfigDescriber topics) {
        if (ConfigResource.Type.forId(resource.resourceType()) != ConfigResource.Type.GROUP) {
            return CompletableFuture.completedFuture(describe(resource, services, image, topics));
        }
        Optional<ApiError> badName = GroupConfigChanges.checkNameForDescribe(resource.resourceName());
        if (badName.isPresent()) {
            return CompletableFuture.completedFuture(Described.failed(badName.get()));
        }
        return GroupConfigChanges.stored(services, resource.resourceName())
                .thenApply(stored -> stored.error() != null
                        ? Described.failed(stored.error())
                        : new Described(KafkaGroupConfigs.describe(stored.configs()), ApiError.NONE));
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
                        cleaner,
                        leaderBalance);
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
