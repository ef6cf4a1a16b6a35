package io.varve.metadata.controller;

import io.varve.metadata.Controller.OperationResult;
import io.varve.metadata.Controller.ReplaceConfigs;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.BrokerConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.TopicConfigsReplaced;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides a ReplaceConfigs request. Topic overrides are checked like CreateTopics' configs; broker
 * resources must be named by a node id or "" (Kafka's cluster-wide default entity). Replacing a
 * set with an equal one persists nothing. Plain logic, owned by the controller actor.
 */
final class ConfigsPlanner {
    static final String TOPIC = "topic";
    static final String BROKER = "broker";

    private final TopicConfigCheck configCheck;

    ConfigsPlanner(TopicConfigCheck configCheck) {
        this.configCheck = configCheck;
    }

    Outcome<OperationResult> plan(MetadataImage image, ReplaceConfigs request) {
        if (TOPIC.equalsIgnoreCase(request.resourceType())) {
            return planTopic(image, request);
        }
        if (BROKER.equalsIgnoreCase(request.resourceType())) {
            return planBroker(image, request);
        }
        return reject(
                Errors.INVALID_REQUEST,
                "Unsupported resource type '" + request.resourceType() + "'; expected 'topic' or 'broker'.");
    }

    private Outcome<OperationResult> planTopic(MetadataImage image, ReplaceConfigs request) {
        String name = request.resourceName();
        Optional<TopicImage> topic = name == null ? Optional.empty() : image.topic(name);
        if (topic.isEmpty()) {
            return reject(Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + name + "' does not exist.");
        }
        Validated<Map<String, String>> configs = configCheck.check(request.configs());
        if (!configs.isOk()) {
            return reject(configs.error(), configs.message());
        }
        if (request.validateOnly() || configs.value().equals(topic.get().configs())) {
            return accepted(List.of());
        }
        return accepted(List.of(new TopicConfigsReplaced(name, Immutables.sortedCopy(configs.value()))));
    }

    private static Outcome<OperationResult> planBroker(MetadataImage image, ReplaceConfigs request) {
        String name = request.resourceName() == null ? "" : request.resourceName();
        if (!name.isEmpty() && !name.chars().allMatch(Character::isDigit)) {
            return reject(
                    Errors.INVALID_REQUEST,
                    "Broker resource name '" + name + "' is neither a node id nor '' (the cluster default).");
        }
        Map<String, String> configs = request.configs() == null ? Map.of() : request.configs();
        if (configs.entrySet().stream().anyMatch(e -> e.getKey() == null || e.getValue() == null)) {
            return reject(Errors.INVALID_CONFIG, "Null value not supported for broker configs of '" + name + "'.");
        }
        if (request.validateOnly() || configs.equals(image.brokerConfigs(name))) {
            return accepted(List.of());
        }
        return accepted(List.of(new BrokerConfigsReplaced(name, Immutables.sortedCopy(configs))));
    }

    private static Outcome<OperationResult> accepted(List<ControllerEvent> events) {
        return new Outcome<>(new OperationResult(Errors.NONE, null), events);
    }

    private static Outcome<OperationResult> reject(Errors error, String message) {
        return new Outcome<>(new OperationResult(error, message), List.of());
    }
}
