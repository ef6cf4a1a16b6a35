package io.varve.actors.journal;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.ReadJournalProvider;
import org.apache.pekko.persistence.query.scaladsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.scaladsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.scaladsl.Source;

/**
 * Pekko Persistence Query's entry to the in-memory journal ({@code varve-memory-read-journal}):
 * created once per ActorSystem by {@code PersistenceQuery}, on the caller's thread.
 */
public final class InMemoryReadJournalProvider implements ReadJournalProvider {
    private final InMemoryReadJournal javadsl;
    private final Scaladsl scaladsl;

    public InMemoryReadJournalProvider(ExtendedActorSystem system) {
        this.javadsl = new InMemoryReadJournal(InMemoryStore.ID.get(system));
        this.scaladsl = new Scaladsl(javadsl);
    }

    @Override
    public org.apache.pekko.persistence.query.javadsl.ReadJournal javadslReadJournal() {
        return javadsl;
    }

    @Override
    public org.apache.pekko.persistence.query.scaladsl.ReadJournal scaladslReadJournal() {
        return scaladsl;
    }

    /** The same queries for Scala callers. */
    private record Scaladsl(InMemoryReadJournal journal)
            implements CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery {
        @Override
        public Source<String, NotUsed> currentPersistenceIds() {
            return journal.currentPersistenceIds().asScala();
        }

        @Override
        public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
                String persistenceId, long fromSequenceNr, long toSequenceNr) {
            return journal.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr)
                    .asScala();
        }
    }
}
