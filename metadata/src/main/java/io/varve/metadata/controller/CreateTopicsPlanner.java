package io.varve.metadata.controller;

import io.varve.metadata.Controller.NewTopic;
import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.ControllerSettings;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides a CreateTopics request against the current image, topic by topic, in Kafka's order of
 * checks: duplicate in the request, legal name, already exists or collides ('.' vs '_'), partition
 * count and replication factor or manual assignment, configs. Accepted topics become {@link
 * TopicCreated} events with fresh topic ids. Plain logic, owned by the controller actor; not
 * thread-safe only through its id supplier.
 */
final class CreateTopicsPlanner {
    private final ControllerSettings settings;
    private final TopicConfigCheck configCheck;
    private final Supplier<Uuid> topicIds;

    CreateTopicsPlanner(ControllerSettings settings, TopicConfigCheck configCheck, Supplier<Uuid> topicIds) {
        this.settings = settings;
        this.configCheck = configCheck;
        this.topicIds = topicIds;
    }

    Outcome<TopicResults> plan(MetadataImage image, List<NewTopic> topics, boolean validateOnly) {
        Map<String, Integer> occurrences = new HashMap<>();
        topics.forEach(topic -> occurrences.merge(topic.name(), 1, Integer::sum));
        List<String> accepted = new ArrayList<>();
        List<TopicResult> results = new ArrayList<>();
        List<ControllerEvent> events = new ArrayList<>();
        for (NewTopic topic : topics) {
            Validated<TopicCreated> planned = occurrences.get(topic.name()) > 1
                    ? Validated.reject(
                            Errors.INVALID_REQUEST,
                            "Topic '" + topic.name() + "' appears more than once in the request.")
                    : planTopic(image, accepted, topic);
            if (planned.isOk()) {
                accepted.add(topic.name());
                events.add(planned.value());
                results.add(created(planned.value(), validateOnly));
            } else {
                results.add(rejected(topic.name(), planned));
            }
        }
        return new Outcome<>(new TopicResults(results), validateOnly ? List.of() : events);
    }

    private Validated<TopicCreated> planTopic(MetadataImage image, List<String> accepted, NewTopic topic) {
        Validated<String> name = checkName(image, accepted, topic.name());
        if (!name.isOk()) {
            return name.rejection();
        }
        Validated<List<List<Integer>>> replicas = assignReplicas(image, topic);
        if (!replicas.isOk()) {
            return replicas.rejection();
        }
        Validated<Map<String, String>> configs = configCheck.check(topic.configs());
        if (!configs.isOk()) {
            return configs.rejection();
        }
        Map<Integer, PartitionRegistration> partitions = new HashMap<>();
        for (int p = 0; p < replicas.value().size(); p++) {
            partitions.put(p, ReplicaAssignment.registration(p, replicas.value().get(p)));
        }
        return Validated.ok(new TopicCreated(
                topic.name(),
                topicIds.get(),
                Immutables.sortedCopy(partitions),
                Immutables.sortedCopy(configs.value())));
    }

    private static Validated<String> checkName(MetadataImage image, List<String> accepted, String name) {
        if (name == null) {
            return Validated.reject(Errors.INVALID_TOPIC_EXCEPTION, "Topic name is missing.");
        }
        try {
            Topic.validate(name);
        } catch (InvalidTopicException e) {
            return Validated.reject(Errors.INVALID_TOPIC_EXCEPTION, e.getMessage());
        }
        if (image.topicsByName().containsKey(name) || accepted.contains(name)) {
            return Validated.reject(Errors.TOPIC_ALREADY_EXISTS, "Topic '" + name + "' already exists.");
        }
        List<String> existing = new ArrayList<>(image.topicsByName().keySet());
        existing.addAll(accepted);
        for (String other : existing) {
            if (Topic.hasCollision(name, other)) {
                // Kafka refuses names equal up to '.' vs '_': both map to one metric name
                return Validated.reject(
                        Errors.INVALID_TOPIC_EXCEPTION,
                        "Topic '" + name + "' collides with existing topic '" + other + "'.");
            }
        }
        return Validated.ok(name);
    }

    private Validated<List<List<Integer>>> assignReplicas(MetadataImage image, NewTopic topic) {
        if (topic.assignments() != null && !topic.assignments().isEmpty()) {
            return manualAssignment(image, topic);
        }
        int partitions = topic.numPartitions() == -1 ? settings.defaultPartitions() : topic.numPartitions();
        if (partitions <= 0) {
            return Validated.reject(
                    Errors.INVALID_PARTITIONS,
                    "Number of partitions must be positive, or -1 for the default, but was " + partitions + ".");
        }
        int rf = topic.replicationFactor() == -1 ? settings.defaultReplicationFactor() : topic.replicationFactor();
        if (rf <= 0) {
            return Validated.reject(
                    Errors.INVALID_REPLICATION_FACTOR,
                    "Replication factor must be positive, or -1 for the default, but was " + rf + ".");
        }
        Validated<Integer> enoughBrokers =
                ReplicaAssignment.checkReplicationFactor(rf, image.brokers().size());
        if (!enoughBrokers.isOk()) {
            return enoughBrokers.rejection();
        }
        List<Integer> brokerIds = image.brokers().keySet().stream().sorted().toList();
        return Validated.ok(ReplicaAssignment.roundRobin(brokerIds, 0, partitions, rf));
    }

    private static Validated<List<List<Integer>>> manualAssignment(MetadataImage image, NewTopic topic) {
        if (topic.numPartitions() != -1) {
            return Validated.reject(
                    Errors.INVALID_REQUEST,
                    "A manual partition assignment was given, so numPartitions must be -1, but was "
                            + topic.numPartitions() + ".");
        }
        if (topic.replicationFactor() != -1) {
            return Validated.reject(
                    Errors.INVALID_REQUEST,
                    "A manual partition assignment was given, so replicationFactor must be -1, but was "
                            + topic.replicationFactor() + ".");
        }
        Validated<List<List<Integer>>> ordered = ReplicaAssignment.byIndex(topic.assignments());
        if (!ordered.isOk()) {
            return ordered;
        }
        return ReplicaAssignment.checkManual(
                ordered.value(), 0, -1, image.brokers().keySet());
    }

    private static TopicResult created(TopicCreated event, boolean validateOnly) {
        int rf = event.partitions().get(0).replicas().size();
        return new TopicResult(
                event.name(),
                validateOnly ? Uuid.ZERO_UUID : event.topicId(),
                Errors.NONE,
                null,
                event.partitions().size(),
                (short) rf,
                event.configs());
    }

    private static TopicResult rejected(String name, Validated<?> rejection) {
        return new TopicResult(name, Uuid.ZERO_UUID, rejection.error(), rejection.message(), -1, (short) -1, Map.of());
    }
}
