package io.varve.group.internal;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupCoordinators;
import io.varve.group.GroupSettings;
import io.varve.metadata.MetadataCache;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * {@link GroupCoordinators} on Cluster Sharding: entity refs by group id, and the group ids found
 * in the journal through the read journal's {@code currentPersistenceIds}.
 */
public final class ShardedGroupCoordinators implements GroupCoordinators {
    private static final String PREFIX = GroupCoordinator.ENTITY_TYPE.name() + "|";

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
