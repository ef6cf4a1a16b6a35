package io.varve.transport.api.admin.topics;

import io.varve.metadata.Controller;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.TopicConfigs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Turns one CreateTopics entry into the controller's {@link Controller.NewTopic}, or the error Kafka
 * answers for it: an illegal name, a manual assignment with a count, a non-positive count, a null or
 * invalid config. Defaults ({@code -1}) are resolved here from {@code num.partitions} and {@code
 * default.replication.factor}. Stateless.
 */
final class NewTopicRequests {
    /** One entry's outcome: exactly one of the two is set. */
    record Checked(Controller.NewTopic topic, ApiError error) {}

    private NewTopicRequests() {}

    /** Names given more than once (Kafka answers each of them INVALID_REQUEST). */
    /**
     * How long CreateTopics and CreatePartitions wait for the new partitions at their leaders: the
     * request's {@code timeout_ms} (Kafka's bound), but never less than {@code varve.ask-timeout}, the
     * bound before requests carried one here. A cluster creating thousands of partitions at once under
     * load needs more than 30 s; the client says how long it is willing to wait.
     */
    static Duration readinessWait(Duration askTimeout, int requestTimeoutMs) {
        Duration requested = Duration.ofMillis(Math.max(0, requestTimeoutMs));
        return requested.compareTo(askTimeout) > 0 ? requested : askTimeout;
    }

    static Set<String> duplicateNames(Iterable<CreatableTopic> topics) {
        Set<String> seen = new HashSet<>();
        Set<String> duplicates = new LinkedHashSet<>();
        for (CreatableTopic topic : topics) {
            if (!seen.add(topic.name())) {
                duplicates.add(topic.name());
            }
        }
        return duplicates;
    }

    static Checked check(CreatableTopic topic, TransportSettings settings, TopicConfigs topicConfigs) {
        try {
            Topic.validate(topic.name());
        } catch (InvalidTopicException e) {
            return failed(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        Map<Integer, List<Integer>> assignments = new HashMap<>();
        for (CreatableReplicaAssignment assignment : topic.assignments()) {
            assignments.put(assignment.partitionIndex(), List.copyOf(assignment.brokerIds()));
        }
        int numPartitions = topic.numPartitions();
        short replicationFactor = topic.replicationFactor();
        if (!assignments.isEmpty()) {
            if (numPartitions != -1) {
                return failed(
                        Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but numPartitions was not set to -1.");
            }
            if (replicationFactor != -1) {
                return failed(
                        Errors.INVALID_REQUEST,
                        "A manual partition assignment was specified, but replicationFactor was not set to -1.");
            }
        } else {
            numPartitions = numPartitions == -1 ? settings.defaultPartitions() : numPartitions;
            replicationFactor = replicationFactor == -1 ? settings.defaultReplicationFactor() : replicationFactor;
            if (numPartitions <= 0) {
                return failed(Errors.INVALID_PARTITIONS, "Number of partitions must be larger than 0.");
            }
            if (replicationFactor <= 0) {
                return failed(Errors.INVALID_REPLICATION_FACTOR, "Replication factor must be larger than 0.");
            }
        }
        Map<String, String> configs = new HashMap<>();
        List<String> nullValued = new ArrayList<>();
        for (CreatableTopicConfig config : topic.configs()) {
            if (config.value() == null) {
                nullValued.add(config.name());
            } else {
                configs.put(config.name(), config.value());
            }
        }
        if (!nullValued.isEmpty()) {
            return failed(
                    Errors.INVALID_CONFIG,
                    "Null value not supported for topic configs: " + String.join(",", nullValued));
        }
        try {
            topicConfigs.effective(configs);
        } catch (ConfigException e) {
            return failed(Errors.INVALID_CONFIG, e.getMessage());
        }
        return new Checked(
                new Controller.NewTopic(
                        topic.name(), numPartitions, replicationFactor, Map.copyOf(assignments), Map.copyOf(configs)),
                null);
    }

    private static Checked failed(Errors error, String message) {
        return new Checked(null, new ApiError(error, message));
    }
}
