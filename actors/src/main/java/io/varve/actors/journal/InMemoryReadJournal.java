package io.varve.actors.journal;

import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The queries of the in-memory journal that Varve uses: every persistence id (ListGroups, the
 * transaction coordinators' start) and one id's current events (group names). Each stream reads a
 * copy of the {@link InMemoryStore} taken when it is materialized, on the materializing thread.
 */
public final class InMemoryReadJournal
        implements ReadJournal, CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery {
    /** The plugin id, as configured in actors' reference.conf. */
    public static final String PLUGIN_ID = "varve-memory-read-journal";

    private final InMemoryStore store;

    InMemoryReadJournal(InMemoryStore store) {
        this.store = store;
    }

    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return Source.fromIterator(() -> store.persistenceIds().iterator());
    }

    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
            String persistenceId, long fromSequenceNr, long toSequenceNr) {
        return Source.fromIterator(() -> store.events(persistenceId, fromSequenceNr, toSequenceNr, Long.MAX_VALUE)
                        .iterator())
                .map(InMemoryReadJournal::envelope);
    }

    private static EventEnvelope envelope(PersistentRepr repr) {
        return EventEnvelope.apply(
                Offset.sequence(repr.sequenceNr()),
                repr.persistenceId(),
                repr.sequenceNr(),
                repr.payload(),
                repr.timestamp());
    }
}
