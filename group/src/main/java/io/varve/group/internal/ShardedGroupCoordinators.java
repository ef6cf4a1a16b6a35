package io.varve.group.internal;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.GroupSettings;
import io.varve.metadata.Ask;
import io.varve.metadata.CoordinatorPlacement;
import io.varve.metadata.CoordinatorShardAllocation;
import io.varve.metadata.MetadataCache;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@link GroupCoordinators} on Cluster Sharding: entity refs by group id ({@link GroupIds}), the group
 * ids found in the journal through the read journal's {@code currentPersistenceIds} (read from the
 * persistence id when it is escaped, from the group's {@link GroupNameRecord} when it is a hash), and
 * the node coordinating a group ({@link CoordinatorPlacement} of the group's entity id, whose shard
 * {@link CoordinatorShardAllocation} puts there).
 */
public final class ShardedGroupCoordinators implements GroupCoordinators {
    private static final String GROUP_PREFIX = GroupIds.PERSISTENCE_TYPE + "|";
    private static final String NAME_PREFIX = GroupIds.NAME_TYPE + "|";
    private static final int NAME_LOOKUPS_IN_PARALLEL = 4;

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
        GroupCoordinator.initSharding(system, settings, metadata, new CoordinatorShardAllocation(metadata, self));
        return new ShardedGroupCoordinators(system, settings.readJournalPluginId(), metadata);
    }

    /** Pekko's {@code number-of-shards} of this entity type (the shard of a group id depends on it). */
    static int numberOfShards(ActorSystem<?> system) {
        return system.settings().config().getInt("pekko.cluster.sharding.number-of-shards");
    }

    @Override
    public OptionalInt coordinatorNodeOf(String groupId) {
        // the shard Pekko gives the group's entity: its id, not the group id, is hashed
        return CoordinatorPlacement.nodeFor(GroupIds.entityId(groupId), numberOfShards, metadata.image());
    }

    @Override
    public RecipientRef<GroupCoordinator.Command> coordinator(String groupId) {
        return sharding.entityRefFor(GroupCoordinator.ENTITY_TYPE, GroupIds.entityId(groupId));
    }

    @Override
    public CompletionStage<List<String>> groupIds() {
        ReadJournal journal = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(ReadJournal.class, readJournalPluginId);
        // inline: Sink.seq's stage would run the ListGroups handler's next step on a new thread
        return Ask.inline(((CurrentPersistenceIdsQuery) journal)
                .currentPersistenceIds()
                .mapAsync(NAME_LOOKUPS_IN_PARALLEL, id -> groupIdOf(journal, id))
                .filter(Optional::isPresent)
                .map(Optional::get)
                .runWith(Sink.seq(), system));
    }

    private CompletionStage<Optional<String>> groupIdOf(ReadJournal journal, String persistenceId) {
        if (persistenceId.startsWith(GROUP_PREFIX)) {
            String key = persistenceId.substring(GROUP_PREFIX.length());
            return CompletableFuture.completedFuture(
                    GroupIds.isHashed(key) ? Optional.empty() : Optional.of(GroupIds.groupIdOfKey(key)));
        }
        if (persistenceId.startsWith(NAME_PREFIX)) {
            return ((CurrentEventsByPersistenceIdQuery) journal)
                    .currentEventsByPersistenceId(persistenceId, 0L, Long.MAX_VALUE)
                    .map(EventEnvelope::event)
                    .filter(GroupNameRecord.NameRecorded.class::isInstance)
                    .map(event -> ((GroupNameRecord.NameRecorded) event).groupId())
                    .runWith(Sink.headOption(), system);
        }
        return CompletableFuture.completedFuture(Optional.empty());
    }
}
