package io.varve.connectors.embedded;

import io.varve.actors.NodeServices;
import io.varve.metadata.Ask;
import io.varve.metadata.Controller;
import io.varve.transport.TransportSettings;
import io.varve.transport.api.BrokerServices;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.protocol.Errors;

/**
 * Creates topics on an embedded node the way CreateTopics does, without a client: the name is
 * checked with Kafka's rules, the controller creates the topic (and checks its configs), and the
 * answer comes only once every partition's actor is hosted on this node, so the topic is writable
 * the moment the future completes. Stateless; the future completes on an actor's thread.
 */
final class TopicCreation {
    private TopicCreation() {}

    /**
     * @param ignoreExisting whether a topic that already exists (a node restarted on its data
     *     directory) counts as created; otherwise it fails with {@code TopicExistsException}
     */
    static CompletableFuture<Void> create(
            NodeServices node, List<NewTopic> topics, boolean ignoreExisting, Duration timeout) {
        if (topics.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        BrokerServices services = node.broker();
        List<Controller.NewTopic> requests;
        try {
            requests = topics.stream().map(t -> request(t, services.settings())).toList();
        } catch (RuntimeException invalid) {
            return CompletableFuture.failedFuture(invalid);
        }
        return Ask.ask(
                        services.controller(),
                        (org.apache.pekko.actor.typed.ActorRef<Controller.TopicResults> replyTo) ->
                                new Controller.CreateTopics(requests, false, replyTo),
                        timeout,
                        services.scheduler())
                .thenCompose(results -> awaitHosted(services, requests, results, ignoreExisting, timeout));
    }

    private static Controller.NewTopic request(NewTopic topic, TransportSettings defaults) {
        Topic.validate(topic.name());
        Map<Integer, List<Integer>> assignments =
                topic.replicasAssignments() == null ? Map.of() : Map.copyOf(topic.replicasAssignments());
        int partitions = assignments.isEmpty() ? topic.numPartitions() : -1;
        short replicationFactor = assignments.isEmpty() ? topic.replicationFactor() : -1;
        if (assignments.isEmpty()) {
            partitions = partitions == -1 ? defaults.defaultPartitions() : partitions;
            replicationFactor = replicationFactor == -1 ? defaults.defaultReplicationFactor() : replicationFactor;
        }
        Map<String, String> configs = topic.configs() == null ? Map.of() : Map.copyOf(topic.configs());
        return new Controller.NewTopic(topic.name(), partitions, replicationFactor, assignments, configs);
    }

    /** As CreateTopics: the partitions of each created topic whose replicas include this node. */
    private static CompletableFuture<Void> awaitHosted(
            BrokerServices services,
            List<Controller.NewTopic> requests,
            Controller.TopicResults results,
            boolean ignoreExisting,
            Duration timeout) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (Controller.TopicResult result : results.results()) {
            if (result.error() == Errors.TOPIC_ALREADY_EXISTS && ignoreExisting) {
                continue;
            }
            if (result.error() != Errors.NONE) {
                return CompletableFuture.failedFuture(
                        result.error().exception("creating topic " + result.name() + ": " + result.message()));
            }
            Map<Integer, List<Integer>> assignments = requests.stream()
                    .filter(r -> r.name().equals(result.name()))
                    .findFirst()
                    .map(Controller.NewTopic::assignments)
                    .orElse(Map.of());
            for (int partition = 0; partition < result.numPartitions(); partition++) {
                List<Integer> replicas = assignments.get(partition);
                if (replicas == null || replicas.contains(services.nodeId())) {
                    partitions.add(new TopicPartition(result.name(), partition));
                }
            }
        }
        return services.partitions()
                .awaitHosted(partitions, timeout)
                .toCompletableFuture()
                .thenCompose(hosted -> hosted
                        ? CompletableFuture.<Void>completedFuture(null)
                        : CompletableFuture.<Void>failedFuture(new TimeoutException(partitions.size()
                                + " partition(s) of the new topics were not hosted on node " + services.nodeId()
                                + " within " + timeout.toMillis() + " ms")));
    }
}
