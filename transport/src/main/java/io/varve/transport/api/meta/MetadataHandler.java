package io.varve.transport.api.meta;

import io.varve.metadata.MetadataImage;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.AuthorizedOperations;
import io.varve.transport.api.RequestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata: brokers, cluster id, controller id and the requested topics (all of them for a
 * null topic list) from the node's metadata image. A topic that does not exist is
 * UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID when asked by id, INVALID_TOPIC_EXCEPTION for an
 * illegal name), unless auto-creation is on and the request allows it: then {@link TopicAutoCreator}
 * creates it and the answer waits until its partitions are hosted, so it describes a ready topic
 * (where Kafka answers LEADER_NOT_AVAILABLE while creating). Authorized operations, when asked for,
 * are all of them (no authorizer). Stateless.
 */
public final class MetadataHandler implements ApiHandler {
    /** v11 dropped the cluster's authorized operations (KIP-700: DescribeCluster carries them). */
    private static final short LAST_CLUSTER_OPERATIONS_VERSION = 10;

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.METADATA;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        MetadataRequest metadata = (MetadataRequest) request;
        MetadataImage image = context.services().metadata().image();
        if (metadata.isAllTopics()) {
            List<MetadataResponseTopic> topics = new ArrayList<>();
            image.topicsByName().values().forEach(topic -> topics.add(TopicDescriber.describe(topic, image)));
            return CompletableFuture.completedFuture(response(context, metadata, image, topics));
        }
        List<String> toCreate = new ArrayList<>();
        for (MetadataRequestTopic topic : metadata.data().topics()) {
            if (topic.name() != null
                    && image.topic(topic.name()).isEmpty()
                    && Topic.isValid(topic.name())
                    && !Topic.isInternal(topic.name())) {
                toCreate.add(topic.name());
            }
        }
        boolean create = context.services().settings().autoCreateTopics()
                && metadata.allowAutoTopicCreation()
                && !toCreate.isEmpty();
        if (!create) {
            return CompletableFuture.completedFuture(
                    response(context, metadata, image, describe(metadata, image, Map.of())));
        }
        return new TopicAutoCreator(context.services()).create(toCreate).thenApply(errors -> {
            MetadataImage fresh = context.services().metadata().image();
            Map<String, Errors> notReady = new HashMap<>(errors);
            // hosted but not yet in this node's image: still "being created" for the client
            toCreate.stream()
                    .filter(name -> fresh.topic(name).isEmpty())
                    .forEach(name -> notReady.putIfAbsent(name, Errors.LEADER_NOT_AVAILABLE));
            return response(context, metadata, fresh, describe(metadata, fresh, notReady));
        });
    }

    /** The requested topics in request order; {@code creationErrors}: topics auto-creation could not make ready. */
    private static List<MetadataResponseTopic> describe(
            MetadataRequest metadata, MetadataImage image, Map<String, Errors> creationErrors) {
        List<MetadataResponseTopic> topics = new ArrayList<>();
        for (MetadataRequestTopic requested : metadata.data().topics()) {
            topics.add(describe(requested, image, creationErrors));
        }
        return topics;
    }

    private static MetadataResponseTopic describe(
            MetadataRequestTopic requested, MetadataImage image, Map<String, Errors> creationErrors) {
        String name = requested.name();
        if (isById(requested)) {
            Uuid topicId = requested.topicId();
            return image.topic(topicId)
                    .map(topic -> TopicDescriber.describe(topic, image))
                    .orElseGet(() -> TopicDescriber.error(null, topicId, Errors.UNKNOWN_TOPIC_ID));
        }
        Errors creationError = creationErrors.get(name);
        if (creationError != null) {
            return TopicDescriber.error(name, Uuid.ZERO_UUID, creationError);
        }
        return image.topic(name)
                .map(topic -> TopicDescriber.describe(topic, image))
                .orElseGet(() -> TopicDescriber.error(name, Uuid.ZERO_UUID, unknownTopicError(name)));
    }

    /** From v12 a topic may be named by id; kafka-clients then sends a null or empty name. */
    private static boolean isById(MetadataRequestTopic topic) {
        return topic.name() == null || (topic.name().isEmpty() && !Uuid.ZERO_UUID.equals(topic.topicId()));
    }

    private static Errors unknownTopicError(String name) {
        return Topic.isValid(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
    }

    /**
     * The controller's node while it is live; otherwise (it died and no new controller has
     * activated yet) the lowest live broker, so clients are never pointed at a dead node.
     */
    static int liveControllerId(MetadataImage image, int self) {
        if (image.isLive(image.controllerId())) {
            return image.controllerId();
        }
        return image.brokers().keySet().stream().min(Integer::compare).orElse(self);
    }

    /**
     * The answer; authorized operations (no authorizer: all of them) as Kafka reports them when asked:
     * for every named topic from v8, for the cluster in v8–10 only.
     */
    private static ApiResponse response(
            RequestContext context, MetadataRequest request, MetadataImage image, List<MetadataResponseTopic> topics) {
        MetadataResponseData data = new MetadataResponseData()
                .setClusterId(image.clusterId())
                .setControllerId(liveControllerId(image, context.services().nodeId()));
        image.brokers().values().forEach(broker -> data.brokers()
                .add(new MetadataResponseData.MetadataResponseBroker()
                        .setNodeId(broker.nodeId())
                        .setHost(broker.host())
                        .setPort(broker.port())
                        .setRack(broker.rack())));
        boolean topicOperations = request.data().includeTopicAuthorizedOperations();
        for (MetadataResponseTopic topic : topics) {
            if (topicOperations && topic.name() != null) {
                topic.setTopicAuthorizedOperations(AuthorizedOperations.TOPIC);
            }
            data.topics().add(topic);
        }
        short version = context.apiVersion();
        if (version >= 8 && version <= LAST_CLUSTER_OPERATIONS_VERSION) {
            data.setClusterAuthorizedOperations(AuthorizedOperations.ifRequested(
                    request.data().includeClusterAuthorizedOperations(), AuthorizedOperations.CLUSTER));
        }
        return new ApiResponse(data);
    }
}
