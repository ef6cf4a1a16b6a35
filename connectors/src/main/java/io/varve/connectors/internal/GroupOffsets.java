package io.varve.connectors.internal;

import io.varve.actors.NodeServices;
import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator;
import io.varve.metadata.Ask;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Fetches and commits a consumer group's offsets by asking the group's coordinator entity
 * directly, the one the Kafka listener's OffsetFetch and OffsetCommit handlers ask, so offsets
 * committed here are what a Kafka consumer of the group starts from and what Admin lists.
 *
 * <p>Commits are Kafka's standalone ("simple") commits: generation -1 and no member id, which the
 * coordinator accepts only while the group has no members (otherwise {@code UNKNOWN_MEMBER_ID}), as
 * for a Kafka consumer that assigns partitions itself. Stateless.
 */
public final class GroupOffsets {
    private GroupOffsets() {}

    /** The committed offsets of {@code partitions}; a partition without one is absent. */
    public static CompletableFuture<Map<TopicPartition, CommittedOffset>> fetch(
            NodeServices node, String groupId, List<TopicPartition> partitions, Duration timeout) {
        return Ask.ask(
                        node.groups().coordinator(groupId),
                        (ActorRef<GroupCoordinator.OffsetsResult> replyTo) ->
                                new GroupCoordinator.FetchOffsets(false, List.copyOf(partitions), replyTo),
                        timeout,
                        node.broker().scheduler())
                .handle((result, failure) -> {
                    if (failure != null) {
                        throw new TimeoutException(
                                "the coordinator of group '" + groupId + "' did not answer within " + timeout.toMillis()
                                        + " ms",
                                failure);
                    }
                    if (result.error() != Errors.NONE) {
                        throw result.error().exception("fetching the offsets of group '" + groupId + "' failed");
                    }
                    return result.offsets();
                });
    }

    /** Commits {@code offsets} for {@code groupId}; fails with Kafka's exception for the coordinator's error. */
    public static CompletableFuture<Void> commit(
            NodeServices node, String groupId, Map<TopicPartition, CommittedOffset> offsets, Duration timeout) {
        return Ask.ask(
                        node.groups().coordinator(groupId),
                        (ActorRef<GroupCoordinator.ErrorResult> replyTo) ->
                                new GroupCoordinator.CommitOffsets("", null, -1, Map.copyOf(offsets), replyTo),
                        timeout,
                        node.broker().scheduler())
                .handle((result, failure) -> {
                    if (failure != null) {
                        throw new TimeoutException(
                                "the coordinator of group '" + groupId + "' did not answer a commit of "
                                        + offsets.size() + " offset(s) within " + timeout.toMillis() + " ms",
                                failure);
                    }
                    if (result.error() != Errors.NONE) {
                        throw result.error()
                                .exception("committing " + offsets.size() + " offset(s) of group '"
                                        + groupId + "' failed with " + result.error()
                                        + (result.error() == Errors.UNKNOWN_MEMBER_ID
                                                ? " (the group has members: in-process commits are standalone commits,"
                                                        + " accepted only while the group is empty)"
                                                : ""));
                    }
                    return null;
                });
    }
}
