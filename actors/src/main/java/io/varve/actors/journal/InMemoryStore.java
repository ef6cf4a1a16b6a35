package io.varve.actors.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * The events and snapshots of the in-memory journal ({@code varve.journal.in-memory}): one store
 * per ActorSystem, so several nodes in one JVM never share one, and gone when the system is. The
 * {@link InMemoryJournal} and {@link InMemorySnapshotStore} actors write it; the streams of {@link
 * InMemoryReadJournal} read it from any thread. Thread-safe: each persistence id's events and
 * snapshots are guarded by their own monitor, and readers get copies.
 *
 * <p>Payloads are kept as the objects the persistent actors wrote, never serialized: Varve's events
 * and snapshots are immutable records.
 */
public final class InMemoryStore implements Extension {
    /** The extension id: {@code InMemoryStore.ID.get(system)}. */
    public static final Id ID = new Id();

    private final Map<String, EventLog> events = new ConcurrentHashMap<>();
    private final Map<String, Snapshots> snapshots = new ConcurrentHashMap<>();

    InMemoryStore() {}

    /** Appends events of one persistence id, in sequence-number order. */
    public void append(String persistenceId, List<PersistentRepr> reprs) {
        EventLog log = events.computeIfAbsent(persistenceId, id -> new EventLog());
        synchronized (log) {
            for (PersistentRepr repr : reprs) {
                log.events.put(repr.sequenceNr(), repr);
                log.highest = Math.max(log.highest, repr.sequenceNr());
            }
        }
    }

    /** Deletes the events up to {@code toSequenceNr} inclusive; the highest sequence number stays. */
    public void deleteTo(String persistenceId, long toSequenceNr) {
        EventLog log = events.get(persistenceId);
        if (log != null) {
            synchronized (log) {
                log.events.headMap(toSequenceNr, true).clear();
            }
        }
    }

    /** A copy of the events with {@code from <= sequenceNr <= to}, at most {@code max} of them. */
    public List<PersistentRepr> events(String persistenceId, long from, long to, long max) {
        EventLog log = events.get(persistenceId);
        if (log == null || from > to || max <= 0) {
            return List.of();
        }
        synchronized (log) {
            List<PersistentRepr> copy = new ArrayList<>();
            for (PersistentRepr repr : log.events.subMap(from, true, to, true).values()) {
                if (copy.size() >= max) {
                    break;
                }
                copy.add(repr);
            }
            return copy;
        }
    }

    /** The highest sequence number ever written for {@code persistenceId} (deletions keep it), or 0. */
    public long highestSequenceNr(String persistenceId) {
        EventLog log = events.get(persistenceId);
        if (log == null) {
            return 0;
        }
        synchronized (log) {
            return log.highest;
        }
    }

    /** Every persistence id that has written an event, sorted. */
    public List<String> persistenceIds() {
        return events.keySet().stream().sorted().toList();
    }

    /** Keeps a snapshot; one with the same sequence number replaces it. */
    public void saveSnapshot(SnapshotMetadata metadata, Object snapshot) {
        Snapshots kept = snapshots.computeIfAbsent(metadata.persistenceId(), id -> new Snapshots());
        synchronized (kept) {
            kept.bySequenceNr.put(metadata.sequenceNr(), SelectedSnapshot.create(metadata, snapshot));
        }
    }

    /** The snapshot with the highest sequence number that {@code criteria} matches. */
    public Optional<SelectedSnapshot> latestSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        Snapshots kept = snapshots.get(persistenceId);
        if (kept == null) {
            return Optional.empty();
        }
        synchronized (kept) {
            for (SelectedSnapshot s : kept.bySequenceNr.descendingMap().values()) {
                if (criteria.matches(s.metadata())) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** Deletes the snapshot {@code metadata} names (any timestamp when it gives 0). */
    public void deleteSnapshot(SnapshotMetadata metadata) {
        Snapshots kept = snapshots.get(metadata.persistenceId());
        if (kept != null) {
            synchronized (kept) {
                SelectedSnapshot s = kept.bySequenceNr.get(metadata.sequenceNr());
                if (s != null
                        && (metadata.timestamp() == 0
                                || metadata.timestamp() == s.metadata().timestamp())) {
                    kept.bySequenceNr.remove(metadata.sequenceNr());
                }
            }
        }
    }

    /** Deletes every snapshot of {@code persistenceId} that {@code criteria} matches. */
    public void deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
        Snapshots kept = snapshots.get(persistenceId);
        if (kept != null) {
            synchronized (kept) {
                kept.bySequenceNr.values().removeIf(s -> criteria.matches(s.metadata()));
            }
        }
    }

    /** One persistence id's events by sequence number, and the highest ever written. */
    private static final class EventLog {
        final NavigableMap<Long, PersistentRepr> events = new TreeMap<>();
        long highest;
    }

    /** One persistence id's snapshots by sequence number. */
    private static final class Snapshots {
        final NavigableMap<Long, SelectedSnapshot> bySequenceNr = new TreeMap<>();
    }

    /** Pekko's extension id for the store. */
    public static final class Id extends AbstractExtensionId<InMemoryStore> {
        private Id() {}

        @Override
        public InMemoryStore createExtension(ExtendedActorSystem system) {
            return new InMemoryStore();
        }

        @Override
        public InMemoryStore get(ActorSystem system) {
            return super.get(system);
        }
    }
}
