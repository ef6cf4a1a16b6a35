package io.varve.transport.api.meta;

import io.varve.metadata.Ask;
import io.varve.metadata.Controller;
import io.varve.metadata.TopicImage;
import io.varve.transport.api.BrokerServices;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Auto-creates topics for Metadata ({@code auto.create.topics.enable}): asks the controller to
 * create them with the broker defaults (-1 partitions/replication), then waits until every partition
 * is hosted on this node, so the Metadata answer describes a writable topic. Completes with the
 * topics that are not ready: the controller's error (e.g. INVALID_REPLICATION_FACTOR), or
 * LEADER_NOT_AVAILABLE (retriable, Kafka's "being created") when the controller or the partitions
 * did not answer within {@code ask-timeout}. Never fails. One instance per request.
 */
final class TopicAutoCreator {
    private final BrokerServices services;

    TopicAutoCreator(BrokerServices services) {
        this.services = services;
    }

    CompletionStage<Map<String, Errors>> create(List<String> names) {
        List<Controller.NewTopic> newTopics = new ArrayList<>();
        names.forEach(name -> newTopics.add(new Controller.NewTopic(name, -1, (short) -1, Map.of(), Map.of())));
        CompletionStage<Controller.TopicResults> created = Ask.ask(
                services.controller(),
                replyTo -> new Controller.CreateTopics(newTopics, false, replyTo),
                services.settings().askTimeout(),
                services.scheduler());
        return created.handle((results, failure) -> results)
                .thenCompose(results -> results == null ? allNotReady(names) : awaitHosted(results));
    }

    private CompletionStage<Map<String, Errors>> awaitHosted(Controller.TopicResults results) {
        Map<String, Errors> notReady = new HashMap<>();
        List<TopicPartition> partitions = new ArrayList<>();
        List<String> waitingFor = new ArrayList<>();
        for (Controller.TopicResult result : results.results()) {
            int count = partitionCount(result);
            if (result.error() != Errors.NONE && result.error() != Errors.TOPIC_ALREADY_EXISTS) {
                notReady.put(result.name(), result.error());
            } else if (count <= 0) {
                notReady.put(result.name(), Errors.LEADER_NOT_AVAILABLE);
            } else {
                waitingFor.add(result.name());
                for (int p = 0; p < count; p++) {
                    partitions.add(new TopicPartition(result.name(), p));
                }
            }
        }
        if (partitions.isEmpty()) {
            return CompletableFuture.completedFuture(notReady);
        }
        return services.partitions()
                .awaitHosted(partitions, services.settings().askTimeout())
                .handle((hosted, failure) -> {
                    if (failure != null || !Boolean.TRUE.equals(hosted)) {
                        waitingFor.forEach(name -> notReady.put(name, Errors.LEADER_NOT_AVAILABLE));
                    }
                    return notReady;
                });
    }

    /** A topic that already existed (a concurrent creation) reports its size from the image. */
    private int partitionCount(Controller.TopicResult result) {
        if (result.error() == Errors.NONE) {
            return result.numPartitions();
        }
        Optional<TopicImage> existing = services.metadata().image().topic(result.name());
        return existing.map(topic -> topic.partitions().size()).orElse(0);
    }

    private static CompletionStage<Map<String, Errors>> allNotReady(List<String> names) {
        Map<String, Errors> notReady = new HashMap<>();
        names.forEach(name -> notReady.put(name, Errors.LEADER_NOT_AVAILABLE));
        return CompletableFuture.completedFuture(notReady);
    }
}
