package io.varve.group.internal;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.GroupSettings;
import io.varve.metadata.MetadataCache;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@link GroupCoordinators} on Cluster Sharding: entity refs by group id ({@link GroupIds}), and
 * the group ids found in the journal through the read journal's {@code currentPersistenceIds}: read
 * from the persistence id when it is escaped, from the group's {@link GroupNameRecord} when it is a
 * hash.
 */
public final class ShardedGroupCoordinators implements GroupCoordinators {
    private static final String GROUP_PREFIX = GroupIds.PERSISTENCE_TYPE + "|";
    private static final String NAME_PREFIX = GroupIds.NAME_TYPE + "|";
    private static final int NAME_LOOKUPS_IN_PARALLEL = 4;

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final String readJournalPluginId;

    private ShardedGroupCoordinators(ActorSystem<?> system, String readJournalPluginId) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.readJournalPluginId = readJournalPluginId;
    }

    public static ShardedGroupCoordinators init(ActorSystem<?> system, GroupSettings settings, MetadataCache metadata) {
        GroupCoordinator.initSharding(system, settings, metadata);
        return new ShardedGroupCoordinators(system, settings.readJournalPluginId());
    }

    @Override
    public RecipientRef<GroupCoordinator.Command> coordinator(String groupId) {
        return sharding.entityRefFor(GroupCoordinator.ENTITY_TYPE, GroupIds.entityId(groupId));
    }

    @Override
    public CompletionStage<List<String>> groupIds() {
        ReadJournal journal = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(ReadJournal.class, readJournalPluginId);
        return ((CurrentPersistenceIdsQuery) journal)
                .currentPersistenceIds()
                .mapAsync(NAME_LOOKUPS_IN_PARALLEL, id -> groupIdOf(journal, id))
                .filter(Optional::isPresent)
                .map(Optional::get)
                .runWith(Sink.seq(), system);
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
