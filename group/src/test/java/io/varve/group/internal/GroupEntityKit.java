package io.varve.group.internal;

import io.varve.group.GroupCoordinator;
import io.varve.group.GroupSettings;
import io.varve.metadata.MetadataCache;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * How the group entity's tests set it up: Kafka's default group settings (with the offset retention
 * and snapshot interval a test chooses), an actor test kit with the persistence test kit's journal
 * and snapshots, and the entity under Pekko's event-sourced test kit with serialization checked.
 */
final class GroupEntityKit {
    /** The tests' wall clock at the start, in epoch milliseconds. */
    static final long START_MS = 1_700_000_000_000L;

    private GroupEntityKit() {}

    static GroupSettings settings(Duration offsetsRetention, int snapshotEvery) {
        return new GroupSettings(
                Duration.ZERO,
                Duration.ofSeconds(6),
                Duration.ofMinutes(30),
                10,
                Duration.ofMinutes(5),
                4096,
                offsetsRetention,
                snapshotEvery,
                "jdbc-read-journal");
    }

    /** A test kit of its own for each test class (each shuts its own down). */
    static ActorTestKit testKit() {
        return ActorTestKit.create(
                EventSourcedBehaviorTestKit.config().withFallback(PersistenceTestKitSnapshotPlugin.config()));
    }

    /** A fresh entity for {@code groupId}, its journal cleared. */
    static EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity(
            ActorTestKit kit, String groupId, GroupSettings settings, MetadataCache metadata, LongSupplier clock) {
        EventSourcedBehaviorTestKit<GroupCoordinator.Command, GroupEvent, GroupRecord> entity =
                EventSourcedBehaviorTestKit.create(
                        kit.system(),
                        GroupEntity.create(groupId, settings, metadata, clock),
                        EventSourcedBehaviorTestKit.enabledSerializationSettings());
        entity.clear();
        return entity;
    }
}
