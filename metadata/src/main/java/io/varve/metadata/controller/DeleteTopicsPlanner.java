package io.varve.metadata.controller;

import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.TopicDeleted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides a DeleteTopics request: results for the names first, then for the ids, in request order.
 * An unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID (with a null name,
 * as Kafka answers), the same name or id twice INVALID_REQUEST. A topic named both by name and by
 * id is deleted once and reported twice. Plain logic, owned by the controller actor.
 */
final class DeleteTopicsPlanner {
    private DeleteTopicsPlanner() {}

    static Outcome<TopicResults> plan(MetadataImage image, List<String> names, List<Uuid> topicIds) {
        List<String> byName = names == null ? List.of() : names;
        List<Uuid> byId = topicIds == null ? List.of() : topicIds;
        Set<String> duplicateNames = duplicates(byName);
        Set<Uuid> duplicateIds = duplicates(byId);
        Set<String> deleted = new HashSet<>();
        List<TopicResult> results = new ArrayList<>();
        List<ControllerEvent> events = new ArrayList<>();
        for (String name : byName) {
            if (duplicateNames.contains(name)) {
                results.add(rejected(
                        name,
                        Uuid.ZERO_UUID,
                        Errors.INVALID_REQUEST,
                        "Topic '" + name + "' appears more than once in the request."));
            } else {
                Optional<TopicImage> topic = name == null ? Optional.empty() : image.topic(name);
                results.add(topic.map(t -> delete(t, deleted, events))
                        .orElseGet(() -> rejected(
                                name,
                                Uuid.ZERO_UUID,
                                Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                "Topic '" + name + "' does not exist.")));
            }
        }
        for (Uuid id : byId) {
            if (duplicateIds.contains(id)) {
                results.add(rejected(
                        null,
                        id,
                        Errors.INVALID_REQUEST,
                        "Topic id " + id + " appears more than once in the request."));
            } else {
                results.add(image.topic(id)
                        .map(t -> delete(t, deleted, events))
                        .orElseGet(() ->
                                rejected(null, id, Errors.UNKNOWN_TOPIC_ID, "Topic id " + id + " does not exist.")));
            }
        }
        return new Outcome<>(new TopicResults(results), events);
    }

    private static TopicResult delete(TopicImage topic, Set<String> deleted, List<ControllerEvent> events) {
        if (deleted.add(topic.name())) {
            events.add(new TopicDeleted(topic.name(), topic.topicId()));
        }
        int rf = topic.partitions().isEmpty()
                ? -1
                : topic.partitions().values().iterator().next().replicas().size();
        return new TopicResult(
                topic.name(),
                topic.topicId(),
                Errors.NONE,
                null,
                topic.partitions().size(),
                (short) rf,
                Map.of());
    }

    private static TopicResult rejected(String name, Uuid id, Errors error, String message) {
        return new TopicResult(name, id, error, message, -1, (short) -1, Map.of());
    }

    private static <T> Set<T> duplicates(List<T> values) {
        Map<T, Integer> counts = new HashMap<>();
        values.forEach(value -> counts.merge(value, 1, Integer::sum));
        Set<T> duplicates = new HashSet<>();
        counts.forEach((value, count) -> {
            if (count > 1) {
                duplicates.add(value);
            }
        });
        return duplicates;
    }
}
