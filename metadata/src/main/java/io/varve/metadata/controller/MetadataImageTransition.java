package io.varve.metadata.controller;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.BrokerConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import io.varve.metadata.controller.ControllerEvent.ControllerActivated;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.PartitionsChanged;
import io.varve.metadata.controller.ControllerEvent.PartitionsCreated;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import io.varve.metadata.controller.ControllerEvent.TopicConfigsReplaced;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import io.varve.metadata.controller.ControllerEvent.TopicDeleted;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * The pure state transition of the metadata log: image + event → next image. Every event advances
 * {@code offset} by one, so an image built from the journal's first n events has offset n, the
 * sequence number of its last event. No side effects; used by the controller's event handler on
 * recovery and on every persisted change, and by every node's listener to apply pushed deltas, so
 * all nodes hold the controller's image. Stateless and thread-safe.
 */
public final class MetadataImageTransition {
    private MetadataImageTransition() {}

    public static MetadataImage apply(MetadataImage image, ControllerEvent event) {
        if (event instanceof TopicCreated created) {
            return onTopicCreated(image, created);
        } else if (event instanceof TopicDeleted deleted) {
            return onTopicDeleted(image, deleted);
        } else if (event instanceof PartitionsCreated added) {
            return onPartitionsCreated(image, added);
        } else if (event instanceof PartitionsChanged changed) {
            return onPartitionsChanged(image, changed);
        } else if (event instanceof TopicConfigsReplaced replaced) {
            return onTopicConfigsReplaced(image, replaced);
        } else if (event instanceof BrokerConfigsReplaced replaced) {
            return withBrokerConfigs(image, replaced.resourceName(), replaced.configs());
        } else if (event instanceof BrokerRegistered registered) {
            return onBrokerRegistered(image, registered);
        } else if (event instanceof BrokersFenced fenced) {
            return onBrokersFenced(image, fenced.nodeIds());
        } else if (event instanceof ControllerActivated activated) {
            return withBrokers(image, activated.nodeId(), image.registrations());
        } else if (event instanceof ProducerIdsAllocated
                || event instanceof ControllerEvent.ClientEvent
                || event instanceof ControllerEvent.ReassignmentEvent) {
            return withTopics(image, image.topicsByName(), image.topicNamesById());
        }
        throw new IllegalArgumentException("unknown controller event " + event);
    }

    /** Applies events in order. */
    public static MetadataImage applyAll(MetadataImage image, List<ControllerEvent> events) {
        MetadataImage next = image;
        for (ControllerEvent event : events) {
            next = apply(next, event);
        }
        return next;
    }

    private static MetadataImage onTopicCreated(MetadataImage image, TopicCreated created) {
        TopicImage topic = new TopicImage(
                created.name(),
                created.topicId(),
                Immutables.sortedCopy(created.partitions()),
                Immutables.sortedCopy(created.configs()));
        Map<String, TopicImage> topics = new HashMap<>(image.topicsByName());
        topics.put(topic.name(), topic);
        Map<Uuid, String> names = new HashMap<>(image.topicNamesById());
        names.put(topic.topicId(), topic.name());
        return withTopics(image, topics, names);
    }

    private static MetadataImage onTopicDeleted(MetadataImage image, TopicDeleted deleted) {
        Map<String, TopicImage> topics = new HashMap<>(image.topicsByName());
        topics.remove(deleted.name());
        Map<Uuid, String> names = new HashMap<>(image.topicNamesById());
        names.remove(deleted.topicId());
        return withTopics(image, topics, names);
    }

    private static MetadataImage onPartitionsCreated(MetadataImage image, PartitionsCreated added) {
        TopicImage topic = existingTopic(image, added.topic());
        Map<Integer, PartitionRegistration> partitions = new TreeMap<>(topic.partitions());
        partitions.putAll(added.partitions());
        return withTopic(image, new TopicImage(topic.name(), topic.topicId(), partitions, topic.configs()));
    }

    private static MetadataImage onPartitionsChanged(MetadataImage image, PartitionsChanged changed) {
        Map<String, Map<Integer, PartitionRegistration>> byTopic = new HashMap<>();
        for (PartitionChange change : changed.changes()) {
            TopicImage topic = existingTopic(image, change.topic());
            byTopic.computeIfAbsent(change.topic(), name -> new TreeMap<>(topic.partitions()))
                    .put(change.registration().partition(), change.registration());
        }
        Map<String, TopicImage> topics = new HashMap<>(image.topicsByName());
        byTopic.forEach((name, partitions) -> {
            TopicImage topic = image.topicsByName().get(name);
            topics.put(name, new TopicImage(name, topic.topicId(), Immutables.sortedCopy(partitions), topic.configs()));
        });
        return withTopics(image, topics, image.topicNamesById());
    }

    private static MetadataImage onTopicConfigsReplaced(MetadataImage image, TopicConfigsReplaced replaced) {
        TopicImage topic = existingTopic(image, replaced.topic());
        return withTopic(image, new TopicImage(topic.name(), topic.topicId(), topic.partitions(), replaced.configs()));
    }

    private static MetadataImage onBrokerRegistered(MetadataImage image, BrokerRegistered registered) {
        Map<Integer, BrokerRegistration> registrations = new TreeMap<>(image.registrations());
        BrokerInfo broker = registered.broker();
        // the broker epoch is the offset of the registration (KRaft's broker epoch)
        registrations.put(
                broker.nodeId(), new BrokerRegistration(broker, registered.incarnation(), image.offset() + 1, false));
        return withBrokers(image, image.controllerId(), registrations);
    }

    private static MetadataImage onBrokersFenced(MetadataImage image, List<Integer> nodeIds) {
        Map<Integer, BrokerRegistration> registrations = new TreeMap<>(image.registrations());
        for (int nodeId : nodeIds) {
            BrokerRegistration registration = registrations.get(nodeId);
            if (registration != null) {
                registrations.put(nodeId, registration.asFenced());
            }
        }
        return withBrokers(image, image.controllerId(), registrations);
    }

    private static TopicImage existingTopic(MetadataImage image, String name) {
        return image.topic(name)
                .orElseThrow(() -> new IllegalStateException("event for unknown topic '" + name + "' in " + image));
    }

    private static MetadataImage withTopic(MetadataImage image, TopicImage topic) {
        TopicImage sorted = new TopicImage(
                topic.name(),
                topic.topicId(),
                Immutables.sortedCopy(topic.partitions()),
                Immutables.sortedCopy(topic.configs()));
        Map<String, TopicImage> topics = new HashMap<>(image.topicsByName());
        topics.put(topic.name(), sorted);
        return withTopics(image, topics, image.topicNamesById());
    }

    private static MetadataImage withTopics(
            MetadataImage image, Map<String, TopicImage> topics, Map<Uuid, String> namesById) {
        return new MetadataImage(
                image.offset() + 1,
                image.clusterId(),
                image.controllerId(),
                image.brokers(),
                image.registrations(),
                Immutables.sortedCopy(topics),
                Immutables.sortedCopy(namesById),
                image.brokerConfigs());
    }

    /** The next image with these registrations; the live brokers are the unfenced ones. */
    private static MetadataImage withBrokers(
            MetadataImage image, int controllerId, Map<Integer, BrokerRegistration> registrations) {
        Map<Integer, BrokerInfo> live = new TreeMap<>();
        registrations.forEach((id, registration) -> {
            if (!registration.fenced()) {
                live.put(id, registration.broker());
            }
        });
        return new MetadataImage(
                image.offset() + 1,
                image.clusterId(),
                controllerId,
                Immutables.sortedCopy(live),
                Immutables.sortedCopy(registrations),
                image.topicsByName(),
                image.topicNamesById(),
                image.brokerConfigs());
    }

    /** {@code entity}'s dynamic broker configs replaced; an empty set removes the entity. */
    private static MetadataImage withBrokerConfigs(MetadataImage image, String entity, Map<String, String> configs) {
        Map<String, Map<String, String>> byEntity = new HashMap<>(image.brokerConfigs());
        String key = entity == null ? MetadataImage.CLUSTER_LEVEL : entity;
        if (configs.isEmpty()) {
            byEntity.remove(key);
        } else {
            byEntity.put(key, Immutables.sortedCopy(configs));
        }
        return new MetadataImage(
                image.offset() + 1,
                image.clusterId(),
                image.controllerId(),
                image.brokers(),
                image.registrations(),
                image.topicsByName(),
                image.topicNamesById(),
                Immutables.sortedCopy(byEntity));
    }
}
