package io.varve.metadata.controller;

import io.varve.metadata.Controller.PartitionsIncrease;
import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.PartitionsCreated;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides a CreatePartitions request: each topic must exist and grow; new partitions keep the
 * topic's replication factor and are placed round-robin after the existing ones unless the request
 * assigns them. Plain logic, owned by the controller actor.
 */
final class CreatePartitionsPlanner {
    private CreatePartitionsPlanner() {}

    static Outcome<TopicResults> plan(MetadataImage image, List<PartitionsIncrease> increases, boolean validateOnly) {
        Map<String, Integer> occurrences = new HashMap<>();
        increases.forEach(increase -> occurrences.merge(increase.topic(), 1, Integer::sum));
        List<TopicResult> results = new ArrayList<>();
        List<ControllerEvent> events = new ArrayList<>();
        for (PartitionsIncrease increase : increases) {
            Validated<PartitionsCreated> planned = occurrences.get(increase.topic()) > 1
                    ? Validated.reject(
                            Errors.INVALID_REQUEST,
                            "Topic '" + increase.topic() + "' appears more than once in the request.")
                    : planIncrease(image, increase);
            if (planned.isOk()) {
                events.add(planned.value());
                results.add(grown(image.topic(increase.topic()).orElseThrow(), increase.totalCount()));
            } else {
                results.add(new TopicResult(
                        increase.topic(),
                        Uuid.ZERO_UUID,
                        planned.error(),
                        planned.message(),
                        -1,
                        (short) -1,
                        Map.of()));
            }
        }
        return new Outcome<>(new TopicResults(results), validateOnly ? List.of() : events);
    }

    private static Validated<PartitionsCreated> planIncrease(MetadataImage image, PartitionsIncrease increase) {
        Optional<TopicImage> found = increase.topic() == null ? Optional.empty() : image.topic(increase.topic());
        if (found.isEmpty()) {
            return Validated.reject(
                    Errors.UNKNOWN_TOPIC_OR_PARTITION, "Topic '" + increase.topic() + "' does not exist.");
        }
        TopicImage topic = found.get();
        int current = topic.partitions().size();
        if (increase.totalCount() <= current) {
            String relation = increase.totalCount() == current ? "equal to" : "higher than";
            return Validated.reject(
                    Errors.INVALID_PARTITIONS,
                    "Topic currently has " + current + " partitions, which is " + relation + " the requested "
                            + increase.totalCount() + ".");
        }
        Validated<List<List<Integer>>> replicas = assignReplicas(image, topic, increase);
        if (!replicas.isOk()) {
            return replicas.rejection();
        }
        Map<Integer, PartitionRegistration> added = new HashMap<>();
        for (int i = 0; i < replicas.value().size(); i++) {
            added.put(
                    current + i,
                    ReplicaAssignment.registration(current + i, replicas.value().get(i)));
        }
        return Validated.ok(new PartitionsCreated(topic.name(), Immutables.sortedCopy(added)));
    }

    private static Validated<List<List<Integer>>> assignReplicas(
            MetadataImage image, TopicImage topic, PartitionsIncrease increase) {
        int current = topic.partitions().size();
        int added = increase.totalCount() - current;
        int rf = replicationFactor(topic);
        List<List<Integer>> assignments = increase.assignments();
        if (assignments != null && !assignments.isEmpty()) {
            if (assignments.size() != added) {
                return Validated.reject(
                        Errors.INVALID_REPLICA_ASSIGNMENT,
                        "Attempted to add " + added + " additional partition(s), but " + assignments.size()
                                + " assignment(s) were specified.");
            }
            return ReplicaAssignment.checkManual(
                    assignments, current, rf, image.brokers().keySet());
        }
        Validated<Integer> enoughBrokers =
                ReplicaAssignment.checkReplicationFactor(rf, image.brokers().size());
        if (!enoughBrokers.isOk()) {
            return enoughBrokers.rejection();
        }
        List<Integer> brokerIds = image.brokers().keySet().stream().sorted().toList();
        return Validated.ok(ReplicaAssignment.roundRobin(brokerIds, current, added, rf));
    }

    private static int replicationFactor(TopicImage topic) {
        return topic.partitions().get(0).replicas().size();
    }

    private static TopicResult grown(TopicImage topic, int totalCount) {
        return new TopicResult(
                topic.name(),
                topic.topicId(),
                Errors.NONE,
                null,
                totalCount,
                (short) replicationFactor(topic),
                topic.configs());
    }
}
