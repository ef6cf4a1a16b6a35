package io.varve.group.internal;

import io.varve.group.GroupCoordinator.DeleteOffsets;
import io.varve.group.GroupCoordinator.OffsetDeleteResult;
import io.varve.group.classic.ClassicGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * OffsetDelete with Kafka's rules: the group must exist; a group with members may only lose
 * offsets of topics none of its consumers subscribe to (GROUP_SUBSCRIBED_TO_TOPIC), and a group
 * with members of another protocol type none (NON_EMPTY_GROUP).
 */
final class OffsetDeletion {
    private static final String CONSUMER_PROTOCOL_TYPE = ConsumerProtocol.PROTOCOL_TYPE;

    private OffsetDeletion() {}

    static ReplyEffect<GroupEvent, GroupRecord> handle(GroupEntity entity, GroupRecord state, DeleteOffsets command) {
        ClassicGroup group = entity.group();
        if (!state.exists() && !group.hasMembers()) {
            return reply(entity, command, new OffsetDeleteResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));
        }
        if (group.hasMembers() && !CONSUMER_PROTOCOL_TYPE.equals(group.protocolType())) {
            return reply(entity, command, new OffsetDeleteResult(Errors.NON_EMPTY_GROUP, Map.of()));
        }
        Set<String> subscribed = Subscriptions.topics(group).orElse(Set.of());
        Map<TopicPartition, Errors> results = new HashMap<>();
        List<TopicPartition> deleted = new ArrayList<>();
        for (TopicPartition partition : command.partitions()) {
            if (subscribed.contains(partition.topic())) {
                results.put(partition, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
            } else {
                results.put(partition, Errors.NONE);
                if (state.offsets().containsKey(partition)) {
                    deleted.add(partition);
                }
            }
        }
        OffsetDeleteResult result = new OffsetDeleteResult(Errors.NONE, Map.copyOf(results));
        List<GroupEvent> events =
                deleted.isEmpty() ? List.of() : List.of(new GroupEvent.OffsetsDeleted(List.copyOf(deleted)));
        return entity.settle(events, command.replyTo(), result);
    }

    private static ReplyEffect<GroupEvent, GroupRecord> reply(
            GroupEntity entity, DeleteOffsets command, OffsetDeleteResult result) {
        return entity.settle(List.of(), command.replyTo(), result);
    }
}
