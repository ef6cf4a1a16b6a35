package io.varve.metadata.controller;

import io.varve.metadata.Controller.ElectLeaders;
import io.varve.metadata.Controller.ElectionResult;
import io.varve.metadata.Controller.ElectionResults;
import io.varve.metadata.Controller.ElectionType;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * ElectLeaders (Kafka's {@code kafka-leader-election.sh}), with the per-partition answers of Kafka's
 * controller:
 *
 * <ul>
 *   <li>PREFERRED: the first replica leads again when it is live and in sync
 *       (PREFERRED_LEADER_NOT_AVAILABLE otherwise), ELECTION_NOT_NEEDED when it already leads;
 *   <li>UNCLEAN: a partition without a live leader gets the first live in-sync replica, or else the
 *       first live replica with an ISR of just itself (records may be lost);
 *       ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is live, ELECTION_NOT_NEEDED when it has a
 *       live leader;
 *   <li>UNKNOWN_TOPIC_OR_PARTITION for a topic or partition that does not exist;
 *   <li>every partition when none are named, answering only the partitions that needed an election.
 * </ul>
 *
 * Each elected partition's leader epoch and partition epoch go up by one. Plain logic, used by the
 * controller actor; {@code live} excludes brokers in controlled shutdown.
 */
final class ElectLeadersPlanner {
    private ElectLeadersPlanner() {}

    static Outcome<ElectionResults> plan(MetadataImage image, ElectLeaders request, Set<Integer> live) {
        List<ElectionResult> results = new ArrayList<>();
        List<PartitionChange> changes = new ArrayList<>();
        if (request.partitions() == null) {
            for (TopicImage topic : image.topicsByName().values()) {
                for (PartitionRegistration partition : topic.partitions().values()) {
                    ElectionResult result = elect(topic, partition, request.type(), live, changes);
                    if (result.error() != Errors.ELECTION_NOT_NEEDED) {
                        results.add(result);
                    }
                }
            }
        } else {
            for (Map.Entry<String, List<Integer>> named : request.partitions().entrySet()) {
                TopicImage topic = image.topicsByName().get(named.getKey());
                for (int index : named.getValue()) {
                    PartitionRegistration partition =
                            topic == null ? null : topic.partitions().get(index);
                    if (partition == null) {
                        results.add(new ElectionResult(
                                named.getKey(),
                                index,
                                Errors.UNKNOWN_TOPIC_OR_PARTITION,
                                "no partition " + named.getKey() + "-" + index));
                    } else {
                        results.add(elect(topic, partition, request.type(), live, changes));
                    }
                }
            }
        }
        return new Outcome<>(new ElectionResults(List.copyOf(results)), EventChunks.changed(changes));
    }

    private static ElectionResult elect(
            TopicImage topic,
            PartitionRegistration partition,
            ElectionType type,
            Set<Integer> live,
            List<PartitionChange> changes) {
        String name = topic.name() + "-" + partition.partition();
        return type == ElectionType.PREFERRED
                ? preferred(topic, partition, name, live, changes)
                : unclean(topic, partition, name, live, changes);
    }

    private static ElectionResult preferred(
            TopicImage topic,
            PartitionRegistration partition,
            String name,
            Set<Integer> live,
            List<PartitionChange> changes) {
        int preferred = partition.replicas().get(0);
        if (partition.leader() == preferred) {
            return result(topic, partition, Errors.ELECTION_NOT_NEEDED, name + " is led by its preferred replica");
        }
        if (!live.contains(preferred) || !partition.isr().contains(preferred)) {
            return result(
                    topic,
                    partition,
                    Errors.PREFERRED_LEADER_NOT_AVAILABLE,
                    "the preferred leader " + preferred + " of " + name + " is "
                            + (live.contains(preferred) ? "not in the ISR " + partition.isr() : "not live"));
        }
        changes.add(leader(topic, partition, preferred, partition.isr()));
        return result(topic, partition, Errors.NONE, null);
    }

    private static ElectionResult unclean(
            TopicImage topic,
            PartitionRegistration partition,
            String name,
            Set<Integer> live,
            List<PartitionChange> changes) {
        if (partition.leader() != Elections.NO_LEADER && live.contains(partition.leader())) {
            return result(
                    topic, partition, Errors.ELECTION_NOT_NEEDED, name + " is led by the live " + partition.leader());
        }
        for (int replica : partition.replicas()) {
            if (live.contains(replica) && partition.isr().contains(replica)) {
                changes.add(leader(topic, partition, replica, partition.isr()));
                return result(topic, partition, Errors.NONE, null);
            }
        }
        for (int replica : partition.replicas()) {
            if (live.contains(replica)) {
                changes.add(Elections.change(
                        topic, new Elections.Election(elected(partition, replica, List.of(replica)), true)));
                return result(topic, partition, Errors.NONE, null);
            }
        }
        return result(
                topic,
                partition,
                Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE,
                "no replica of " + name + " " + partition.replicas() + " is live");
    }

    private static PartitionChange leader(
            TopicImage topic, PartitionRegistration partition, int leader, List<Integer> isr) {
        return new PartitionChange(topic.name(), elected(partition, leader, isr));
    }

    private static PartitionRegistration elected(PartitionRegistration partition, int leader, List<Integer> isr) {
        return new PartitionRegistration(
                partition.partition(),
                partition.replicas(),
                List.copyOf(isr),
                leader,
                partition.leaderEpoch() + 1,
                partition.partitionEpoch() + 1);
    }

    private static ElectionResult result(
            TopicImage topic, PartitionRegistration partition, Errors error, String message) {
        return new ElectionResult(topic.name(), partition.partition(), error, message);
    }
}
