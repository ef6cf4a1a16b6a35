package io.varve.actors.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.Test;

/** The in-memory journal's store: exact events by sequence number, deletions, snapshots. */
class InMemoryStoreTest {
    private final InMemoryStore store = new InMemoryStore();

    private static PersistentRepr event(String persistenceId, long sequenceNr, String payload) {
        return PersistentRepr.apply(payload, sequenceNr, persistenceId, "", false, null, "writer");
    }

    private static List<Object> payloads(List<PersistentRepr> reprs) {
        return reprs.stream().map(PersistentRepr::payload).toList();
    }

    @Test
    void readsBackTheEventsOfARangeInOrderAndAtMostMax() {
        store.append("g-a", List.of(event("g-a", 1, "one"), event("g-a", 2, "two")));
        store.append("g-a", List.of(event("g-a", 3, "three")));
        store.append("g-b", List.of(event("g-b", 1, "b-one")));

        assertThat(payloads(store.events("g-a", 0, Long.MAX_VALUE, Long.MAX_VALUE)))
                .containsExactly("one", "two", "three");
        assertThat(payloads(store.events("g-a", 2, 3, Long.MAX_VALUE))).containsExactly("two", "three");
        assertThat(payloads(store.events("g-a", 1, 3, 2))).containsExactly("one", "two");
        assertThat(store.events("g-a", 4, 9, 10)).isEmpty();
        assertThat(store.events("nobody", 0, 9, 10)).isEmpty();
        assertThat(store.highestSequenceNr("g-a")).isEqualTo(3);
        assertThat(store.highestSequenceNr("nobody")).isZero();
        assertThat(store.persistenceIds()).containsExactly("g-a", "g-b");
    }

    @Test
    void deletingEventsKeepsTheHighestSequenceNumberAndThePersistenceId() {
        store.append("t-x", List.of(event("t-x", 1, "one"), event("t-x", 2, "two"), event("t-x", 3, "three")));

        store.deleteTo("t-x", 2);
        assertThat(payloads(store.events("t-x", 0, Long.MAX_VALUE, Long.MAX_VALUE)))
                .containsExactly("three");

        store.deleteTo("t-x", 3);
        assertThat(store.events("t-x", 0, Long.MAX_VALUE, Long.MAX_VALUE)).isEmpty();
        assertThat(store.highestSequenceNr("t-x")).isEqualTo(3);
        assertThat(store.persistenceIds()).containsExactly("t-x");
    }

    @Test
    void loadsTheLatestSnapshotTheCriteriaMatchAndDeletesWhatTheyName() {
        store.saveSnapshot(new SnapshotMetadata("c", 100, 1_000), "at-100");
        store.saveSnapshot(new SnapshotMetadata("c", 200, 2_000), "at-200");
        store.saveSnapshot(new SnapshotMetadata("c", 300, 3_000), "at-300");

        assertThat(store.latestSnapshot("c", SnapshotSelectionCriteria.latest())
                        .orElseThrow()
                        .snapshot())
                .isEqualTo("at-300");
        assertThat(store.latestSnapshot("c", SnapshotSelectionCriteria.create(250, Long.MAX_VALUE))
                        .orElseThrow()
                        .snapshot())
                .isEqualTo("at-200");
        assertThat(store.latestSnapshot("d", SnapshotSelectionCriteria.latest()))
                .isEmpty();

        store.deleteSnapshot(new SnapshotMetadata("c", 300, 0));
        assertThat(store.latestSnapshot("c", SnapshotSelectionCriteria.latest())
                        .orElseThrow()
                        .snapshot())
                .isEqualTo("at-200");
        store.deleteSnapshot(new SnapshotMetadata("c", 200, 1_999)); // another timestamp: kept
        assertThat(store.latestSnapshot("c", SnapshotSelectionCriteria.latest())
                        .orElseThrow()
                        .snapshot())
                .isEqualTo("at-200");

        store.deleteSnapshots("c", SnapshotSelectionCriteria.create(200, Long.MAX_VALUE));
        assertThat(store.latestSnapshot("c", SnapshotSelectionCriteria.latest()))
                .isEmpty();
    }
}
