package io.varve.transport.api.admin.configs;

import io.varve.metadata.Controller;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.admin.AdminAsk;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: Kafka's request-shape checks (a resource at
 * most once, a key at most once, no null value outside DELETE), validation of the new full set of
 * overrides, and the {@link Controller.ReplaceConfigs} that stores it. Stateless.
 */
final class ConfigChanges {
    static final String TOPIC = "topic";
    static final String BROKER = "broker";

    private ConfigChanges() {}

    /** Kafka's answer for resources named twice in one request: both get INVALID_REQUEST. */
    static <R> Set<R> duplicateResources(List<R> resources, Function<R, ?> key) {
        Map<Object, R> first = new HashMap<>();
        Set<R> duplicates = new HashSet<>();
        for (R resource : resources) {
            R previous = first.putIfAbsent(key.apply(resource), resource);
            if (previous != null) {
                duplicates.add(previous);
                duplicates.add(resource);
            }
        }
        return duplicates;
    }

    static ApiError duplicateResource() {
        return new ApiError(Errors.INVALID_REQUEST, "Each resource must appear at most once.");
    }

    /** Duplicate keys and null values (names of {@code nullValued}) are refused before anything else. */
    static Optional<ApiError> checkShape(List<String> names, List<String> nullValued) {
        if (new HashSet<>(names).size() != names.size()) {
            return Optional.of(new ApiError(Errors.INVALID_REQUEST, "Error due to duplicate config keys"));
        }
        if (!nullValued.isEmpty()) {
            return Optional.of(new ApiError(
                    Errors.INVALID_REQUEST, "Null value not supported for : " + String.join(", ", nullValued)));
        }
        return Optional.empty();
    }

    static ApiError unknownTopic(String topic) {
        return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The topic '" + topic + "' does not exist.");
    }

    /**
     * A broker resource must be this node's id or "" (the cluster default), as Kafka checks; {@code
     * orEmpty} words the message as DescribeConfigs does.
     */
    static Optional<ApiError> checkBrokerName(String name, int nodeId, boolean orEmpty) {
        if (name.isEmpty()) {
            return Optional.empty();
        }
        int requested;
        try {
            requested = Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return Optional.of(
                    new ApiError(Errors.INVALID_REQUEST, "Broker id must be an integer, but it is: " + name));
        }
        if (requested == nodeId) {
            return Optional.empty();
        }
        return Optional.of(new ApiError(
                Errors.INVALID_REQUEST,
                "Unexpected broker id, expected " + nodeId + (orEmpty ? " or empty string" : "") + ", but received "
                        + name));
    }

    /** Validates a topic's new overrides against Kafka's definitions and stores them. */
    static CompletionStage<ApiError> replaceTopicConfigs(
            BrokerServices services, String topic, Map<String, String> overrides, boolean validateOnly) {
        try {
            services.topicConfigs().effective(overrides);
        } catch (ConfigException e) {
            return CompletableFuture.completedFuture(new ApiError(Errors.INVALID_CONFIG, e.getMessage()));
        }
        return replace(services, TOPIC, topic, overrides, validateOnly);
    }

    /**
     * Validates the new set of dynamic configs of a broker resource ({@code name}: this node's id, or
     * "" for the cluster level) as Kafka does, and stores it. Kafka's table decides what may change
     * and where ({@link KafkaBrokerConfigs}); the {@code log.*} defaults of topic configs must also be
     * valid topic config values. Every refusal is INVALID_REQUEST, as from Kafka. Keys Kafka does not
     * know are kept as given, as Kafka keeps custom configs. The {@code log.cleaner.*} settings of the
     * node's cleaner are fixed at start in Varve and refused as read-only. Only the {@code log.*} defaults take
     * effect in Varve (on the partitions of the nodes they apply to); the others are stored and
     * described.
     */
    static CompletionStage<ApiError> replaceBrokerConfigs(
            BrokerServices services, String name, Map<String, String> configs, boolean validateOnly) {
        Optional<ApiError> refused = CleanerConfigNames.refuseChanges(configs.keySet())
                .or(() -> KafkaBrokerConfigs.validate(configs, !name.isEmpty()));
        if (refused.isPresent()) {
            return CompletableFuture.completedFuture(refused.get());
        }
        try {
            services.topicConfigs().effective(BrokerConfigNames.topicDefaults(configs));
        } catch (ConfigException e) {
            return CompletableFuture.completedFuture(new ApiError(Errors.INVALID_REQUEST, e.getMessage()));
        }
        return replace(services, BROKER, name, configs, validateOnly);
    }

    private static CompletionStage<ApiError> replace(
            BrokerServices services, String type, String name, Map<String, String> configs, boolean validateOnly) {
        CompletionStage<Controller.OperationResult> asked = AdminAsk.ask(
                services.controller(),
                replyTo -> new Controller.ReplaceConfigs(type, name, Map.copyOf(configs), validateOnly, replyTo),
                services);
        return asked.handle((result, failure) -> failure != null
                ? AdminAsk.errorOf(failure, "the controller", services)
                : new ApiError(result.error(), result.message()));
    }

    /**
     * Alters each resource of a request (a resource named twice is answered with the duplicate
     * error, not altered), and completes with one answer per resource in request order.
     */
    static <R, A> CompletionStage<List<A>> alterEach(
            List<R> resources,
            Function<R, ?> identity,
            Function<R, CompletionStage<ApiError>> alter,
            java.util.function.BiFunction<R, ApiError, A> answer) {
        Set<R> duplicates = duplicateResources(resources, identity);
        List<CompletableFuture<A>> answers = new java.util.ArrayList<>();
        for (R resource : resources) {
            CompletionStage<ApiError> outcome = duplicates.contains(resource)
                    ? CompletableFuture.completedFuture(duplicateResource())
                    : alter.apply(resource);
            answers.add(
                    outcome.thenApply(error -> answer.apply(resource, error)).toCompletableFuture());
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(done -> answers.stream().map(CompletableFuture::join).toList());
    }
}
