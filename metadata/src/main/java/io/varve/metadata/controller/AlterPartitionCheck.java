package io.varve.metadata.controller;

import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.IsrMember;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;

/**
 * Decides a partition leader's ISR change (Kafka's AlterPartition) against the image, with KRaft's
 * checks in KRaft's order: the leader's broker epoch (STALE_BROKER_EPOCH), topic and partition
 * (UNKNOWN_TOPIC_OR_PARTITION), epochs newer than the controller's (NOT_CONTROLLER), an older leader
 * epoch (FENCED_LEADER_EPOCH), a sender that is not the leader (INVALID_REQUEST), an older partition
 * epoch (INVALID_UPDATE_VERSION), an ISR outside the replicas, with duplicates or without the leader
 * (INVALID_REQUEST), and members that are not live at the broker epoch they fetched with
 * (INELIGIBLE_REPLICA). An accepted change is the same registration with the new ISR and the next
 * partition epoch. Stateless.
 */
final class AlterPartitionCheck {
    private AlterPartitionCheck() {}

    /** The new registration; the current one unchanged when the ISR is already the requested one. */
    static Validated<PartitionRegistration> check(MetadataImage image, AlterPartition request) {
        long leaderEpochOfBroker = image.brokerEpoch(request.leaderId());
        if (request.leaderBrokerEpoch() != -1 && request.leaderBrokerEpoch() != leaderEpochOfBroker) {
            return Validated.reject(
                    Errors.STALE_BROKER_EPOCH,
                    "broker " + request.leaderId() + " sent broker epoch " + request.leaderBrokerEpoch()
                            + ", but its registration has " + leaderEpochOfBroker);
        }
        Optional<TopicImage> topic = image.topic(request.topic());
        PartitionRegistration current =
                topic.map(t -> t.partitions().get(request.partition())).orElse(null);
        String name = request.topic() + "-" + request.partition();
        if (current == null) {
            return Validated.reject(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no partition " + name);
        }
        if (request.leaderEpoch() > current.leaderEpoch() || request.partitionEpoch() > current.partitionEpoch()) {
            return Validated.reject(
                    Errors.NOT_CONTROLLER,
                    "epochs " + request.leaderEpoch() + "/" + request.partitionEpoch() + " of " + name
                            + " are newer than the controller's " + current.leaderEpoch() + "/"
                            + current.partitionEpoch());
        }
        if (request.leaderEpoch() < current.leaderEpoch()) {
            return Validated.reject(
                    Errors.FENCED_LEADER_EPOCH,
                    "leader epoch " + request.leaderEpoch() + " of " + name + " is older than "
                            + current.leaderEpoch());
        }
        if (request.leaderId() != current.leader()) {
            return Validated.reject(
                    Errors.INVALID_REQUEST,
                    "broker " + request.leaderId() + " is not the leader of " + name + " (" + current.leader() + ")");
        }
        if (request.partitionEpoch() < current.partitionEpoch()) {
            return Validated.reject(
                    Errors.INVALID_UPDATE_VERSION,
                    "partition epoch " + request.partitionEpoch() + " of " + name + " is older than "
                            + current.partitionEpoch());
        }
        return checkIsr(image, request, current, name);
    }

    private static Validated<PartitionRegistration> checkIsr(
            MetadataImage image, AlterPartition request, PartitionRegistration current, String name) {
        List<Integer> isr = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        for (IsrMember member : request.newIsr()) {
            if (!seen.add(member.brokerId()) || !current.replicas().contains(member.brokerId())) {
                return Validated.reject(
                        Errors.INVALID_REQUEST,
                        "ISR " + request.newIsr() + " of " + name + " is not a set of its replicas "
                                + current.replicas());
            }
            isr.add(member.brokerId());
        }
        if (!isr.contains(current.leader())) {
            return Validated.reject(
                    Errors.INVALID_REQUEST, "ISR " + isr + " of " + name + " lacks the leader " + current.leader());
        }
        for (IsrMember member : request.newIsr()) {
            BrokerRegistration registration = image.registrations().get(member.brokerId());
            String problem = registration == null
                    ? "not registered"
                    : registration.fenced()
                            ? "fenced"
                            : member.brokerEpoch() != -1 && member.brokerEpoch() != registration.brokerEpoch()
                                    ? "broker epoch " + member.brokerEpoch() + " but registered at "
                                            + registration.brokerEpoch()
                                    : null;
            if (problem != null) {
                return Validated.reject(
                        Errors.INELIGIBLE_REPLICA,
                        "broker " + member.brokerId() + " cannot join the ISR of " + name + ": " + problem);
            }
        }
        if (isr.equals(current.isr())) {
            return Validated.ok(current);
        }
        return Validated.ok(new PartitionRegistration(
                current.partition(),
                current.replicas(),
                List.copyOf(isr),
                current.leader(),
                current.leaderEpoch(),
                current.partitionEpoch() + 1));
    }
}
