package io.varve.actors.journal;

import java.util.Optional;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;

/**
 * Pekko Persistence snapshot-store plugin keeping snapshots in the ActorSystem's {@link
 * InMemoryStore} ({@code varve-memory-snapshot-store}). A Pekko actor: its methods run on its own
 * thread, one at a time, and complete before they return.
 */
public final class InMemorySnapshotStore extends SnapshotStore {
    private final InMemoryStore store = InMemoryStore.ID.get(context().system());

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return Futures.successful(store.latestSnapshot(persistenceId, criteria));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        store.saveSnapshot(metadata, snapshot);
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        store.deleteSnapshot(metadata);
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        store.deleteSnapshots(persistenceId, criteria);
        return Futures.successful(null);
    }
}
