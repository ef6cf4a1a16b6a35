package io.varve.group;

import io.varve.group.internal.ShardedGroupCoordinators;
import io.varve.metadata.MetadataCache;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;

/**
 * How the group handlers reach group coordinators: the entity of one group id, and the ids of
 * every group that has a journal. Thread-safe.
 */
public interface GroupCoordinators {
    RecipientRef<GroupCoordinator.Command> coordinator(String groupId);

    /** Every group id with persisted state (deleted groups included: ask them whether they exist). */
    CompletionStage<List<String>> groupIds();

    /**
     * The node that coordinates {@code groupId} (hosts its shard); empty when this node answers for
     * every group (a single node, or no live broker known yet).
     */
    default OptionalInt coordinatorNodeOf(String groupId) {
        return OptionalInt.empty();
    }

    /**
     * Initialises the sharded entity type on this node and lists groups from the read journal.
     *
     * @param metadata this node's metadata cache, which tells groups which topics were deleted
     */
    static GroupCoordinators sharded(ActorSystem<?> system, GroupSettings settings, MetadataCache metadata) {
        return ShardedGroupCoordinators.init(system, settings, metadata);
    }
}
