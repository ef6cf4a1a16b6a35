package io.varve.metadata.controller;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.metadata.TopicPolicy;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's leader election rules (KRaft's PartitionChangeBuilder), applied when brokers stop or start
 * being live:
 *
 * <ul>
 *   <li>a broker that is no longer live leaves every ISR, except that an ISR never becomes empty:
 *       its last member stays (the last leader, if it was in the ISR), so the partition keeps a clean
 *       candidate for when that broker returns;
 *   <li>the leader stays while it is live and in the ISR; otherwise the new leader is the first
 *       replica, in replica order, that is in the ISR and live;
 *   <li>with none, the partition has no leader (-1) unless the topic allows unclean leader
 *       election: then the first live replica leads, with an ISR of just itself (records may be
 *       lost, and a WARN says so);
 *   <li>the leader epoch goes up when the leader changes (also to or from -1), the partition epoch
 *       at every change.
 * </ul>
 *
 * Stateless apart from its policy; used by the controller actor.
 */
final class Elections {
    static final int NO_LEADER = -1;
    private static final Logger log = LoggerFactory.getLogger(Elections.class);

    private final TopicPolicy policy;

    Elections(TopicPolicy policy) {
        this.policy = policy;
    }

    /** One partition's outcome: the new registration, and whether an out-of-sync replica was elected. */
    record Election(PartitionRegistration registration, boolean unclean) {}

    /**
     * The changes after {@code removed} brokers stopped being live; {@code live} are the brokers live
     * afterwards.
     */
    List<PartitionChange> onBrokersRemoved(MetadataImage image, Set<Integer> removed, Set<Integer> live) {
        List<PartitionChange> changes = new ArrayList<>();
        for (TopicImage topic : image.topicsByName().values()) {
            boolean unclean =
                    policy.uncleanLeaderElection(topic.configs(), image.brokerConfigs(MetadataImage.CLUSTER_LEVEL));
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (removed.contains(partition.leader())
                        || partition.isr().stream().anyMatch(removed::contains)) {
                    elect(partition, removed, live, unclean).ifPresent(e -> changes.add(change(topic, e)));
                }
            }
        }
        return changes;
    }

    /** Leaders for partitions without one, now that {@code live} brokers are live. */
    List<PartitionChange> electLeaderless(MetadataImage image, Set<Integer> live) {
        List<PartitionChange> changes = new ArrayList<>();
        for (TopicImage topic : image.topicsByName().values()) {
            boolean unclean =
                    policy.uncleanLeaderElection(topic.configs(), image.brokerConfigs(MetadataImage.CLUSTER_LEVEL));
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.leader() == NO_LEADER) {
                    elect(partition, Set.of(), live, unclean).ifPresent(e -> changes.add(change(topic, e)));
                }
            }
        }
        return changes;
    }

    private static PartitionChange change(TopicImage topic, Election election) {
        PartitionRegistration next = election.registration();
        if (election.unclean()) {
            log.warn(
                    "unclean leader election for {}-{}: broker {} leads at epoch {} without being in sync;"
                            + " records the previous ISR acknowledged may be lost",
                    topic.name(),
                    next.partition(),
                    next.leader(),
                    next.leaderEpoch());
        } else if (next.leader() == NO_LEADER) {
            log.warn(
                    "{}-{} has no live in-sync replica (ISR {}): offline until one returns",
                    topic.name(),
                    next.partition(),
                    next.isr());
        }
        return new PartitionChange(topic.name(), next);
    }

    /** Kafka's rules for one partition (class comment); empty when nothing changes. */
    static Optional<Election> elect(
            PartitionRegistration partition, Set<Integer> removed, Set<Integer> live, boolean uncleanAllowed) {
        List<Integer> isr = new ArrayList<>();
        for (int replica : partition.isr()) {
            if (!removed.contains(replica)) {
                isr.add(replica);
            }
        }
        if (isr.isEmpty() && !partition.isr().isEmpty()) {
            int last = partition.isr().contains(partition.leader())
                    ? partition.leader()
                    : partition.isr().get(0);
            isr.add(last);
        }
        int leader = partition.leader();
        boolean unclean = false;
        if (!(leader != NO_LEADER && isr.contains(leader) && live.contains(leader))) {
            leader = firstReplica(partition, r -> isr.contains(r) && live.contains(r));
            if (leader == NO_LEADER && uncleanAllowed) {
                leader = firstReplica(partition, live::contains);
                if (leader != NO_LEADER) {
                    unclean = true;
                    isr.clear();
                    isr.add(leader);
                }
            }
        }
        if (leader == partition.leader() && isr.equals(partition.isr())) {
            return Optional.empty();
        }
        int leaderEpoch = leader == partition.leader() ? partition.leaderEpoch() : partition.leaderEpoch() + 1;
        return Optional.of(new Election(
                new PartitionRegistration(
                        partition.partition(),
                        partition.replicas(),
                        List.copyOf(isr),
                        leader,
                        leaderEpoch,
                        partition.partitionEpoch() + 1),
                unclean));
    }

    private static int firstReplica(PartitionRegistration partition, java.util.function.IntPredicate eligible) {
        for (int replica : partition.replicas()) {
            if (eligible.test(replica)) {
                return replica;
            }
        }
        return NO_LEADER;
    }
}
