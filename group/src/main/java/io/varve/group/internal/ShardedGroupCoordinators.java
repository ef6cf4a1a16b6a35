package io.varve.group.internal;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.GroupSettings;
import io.varve.metadata.CoordinatorPlacement;
import io.varve.metadata.MetadataCache;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@link GroupCoordinators} on Cluster Sharding: entity refs by group id, the group ids found in the
 * journal through the read journal's {@code currentPersistenceIds}, and the node coordinating a group
 * ({@link CoordinatorPlacement}), where {@link CoordinatorShardAllocation} puts its shard.
 */
public final class ShardedGroupCoordinators implements GroupCoordinators {
    private static final String PREFIX = GroupCoordinator.ENTITY_TYPE.name() + "|";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final String readJournalPluginId;
    private final MetadataCache metadata;
    private final int numberOfShards;

    private ShardedGroupCoordinators(ActorSystem<?> system, String readJournalPluginId, MetadataCache metadata) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.readJournalPluginId = readJournalPluginId;
        this.metadata = metadata;
        this.numberOfShards = numberOfShards(system);
    }

    public static ShardedGroupCoordinators init(ActorSystem<?> system, GroupSettings settings, MetadataCache metadata) {
        Address self = Cluster.get(system).selfMember().address();
        ClusterSharding.get(system)
                .init(Entity.of(
                                GroupCoordinator.ENTITY_TYPE,
                                context -> GroupCoordinator.create(context.getEntityId(), settings, metadata))
                        .withAllocationStrategy(new CoordinatorShardAllocation(metadata, self)));
        return new ShardedGroupCoordinators(system, settings.readJournalPluginId(), metadata);
    }

    /** Pekko's {@code number-of-shards} of this entity type (the shard of a group id depends on it). */
    static int numberOfShards(ActorSystem<?> system) {
        return system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    }

    @Override
    public OptionalInt coordinatorNodeOf(String groupId) {
        return CoordinatorPlacement.nodeFor(groupId, numberOfShards, metadata.image());
    }

    @Override
    public RecipientRef<GroupCoordinator.Command> coordinator(String groupId) {
        return sharding.entityRefFor(GroupCoordinator.ENTITY_TYPE, groupId);
    }

    @Override
    public CompletionStage<List<String>> groupIds() {
        CurrentPersistenceIdsQuery query = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournalPluginId);
        return query.currentPersistenceIds()
                .filter(id -> id.startsWith(PREFIX))
                .map(id -> id.substring(PREFIX.length()))
                .runWith(Sink.seq(), system);
    }
}
