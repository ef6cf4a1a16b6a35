package io.varve.metadata.controller;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's automatic leader rebalancing ({@code auto.leader.rebalance.enable}): a broker's imbalance
 * is the share of the partitions whose preferred (first) replica it is but which another broker
 * leads; when that share exceeds {@code leader.imbalance.per.broker.percentage}, each of those
 * partitions whose preferred replica is live and in sync gets it back as leader (leader and
 * partition epochs up by one). Plain logic, run by the controller every {@code
 * leader.imbalance.check.interval}; {@code live} excludes brokers in controlled shutdown.
 */
final class LeaderBalance {
    private LeaderBalance() {}

    /** One partition away from its preferred leader. */
    private record Displaced(TopicImage topic, PartitionRegistration partition) {}

    static List<PartitionChange> plan(MetadataImage image, Set<Integer> live, int imbalancePercentage) {
        Map<Integer, Integer> preferredCount = new HashMap<>();
        Map<Integer, List<Displaced>> displaced = new HashMap<>();
        for (TopicImage topic : image.topicsByName().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.replicas().isEmpty()) {
                    continue;
                }
                int preferred = partition.replicas().get(0);
                preferredCount.merge(preferred, 1, Integer::sum);
                if (partition.leader() != preferred) {
                    displaced.computeIfAbsent(preferred, b -> new ArrayList<>()).add(new Displaced(topic, partition));
                }
            }
        }
        List<PartitionChange> changes = new ArrayList<>();
        for (Map.Entry<Integer, List<Displaced>> broker : displaced.entrySet()) {
            int preferred = broker.getKey();
            // Kafka's test: not-led / preferred > percentage / 100, in integers
            boolean imbalanced =
                    (long) broker.getValue().size() * 100 > (long) imbalancePercentage * preferredCount.get(preferred);
            if (!imbalanced || !live.contains(preferred)) {
                continue;
            }
            for (Displaced d : broker.getValue()) {
                PartitionRegistration p = d.partition();
                if (p.isr().contains(preferred)) {
                    changes.add(new PartitionChange(
                            d.topic().name(),
                            new PartitionRegistration(
                                    p.partition(),
                                    p.replicas(),
                                    p.isr(),
                                    preferred,
                                    p.leaderEpoch() + 1,
                                    p.partitionEpoch() + 1)));
                }
            }
        }
        return changes;
    }
}
