package io.varve.actors.journal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Pekko Persistence journal plugin keeping events in the ActorSystem's {@link InMemoryStore}
 * ({@code varve-memory-journal}), for a node whose data directory is temporary: nothing survives
 * the ActorSystem. A Pekko actor: Pekko calls these methods on its own thread, one at a time, and
 * each completes before it returns.
 */
public final class InMemoryJournal extends AsyncWriteJournal {
    private final InMemoryStore store = InMemoryStore.ID.get(context().system());

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        List<Optional<Exception>> results = new ArrayList<>();
        for (AtomicWrite write : messages) {
            List<PersistentRepr> reprs = new ArrayList<>(write.size());
            for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
                // tags mean nothing without an events-by-tag query: keep the event itself
                reprs.add(repr.payload() instanceof Tagged tagged ? repr.withPayload(tagged.payload()) : repr);
            }
            store.append(write.persistenceId(), reprs);
            results.add(Optional.empty());
        }
        return Futures.successful(results);
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        store.deleteTo(persistenceId, toSequenceNr);
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doAsyncReplayMessages(
            String persistenceId, long fromSequenceNr, long toSequenceNr, long max, Consumer<PersistentRepr> replay) {
        store.events(persistenceId, fromSequenceNr, toSequenceNr, max).forEach(replay);
        return Futures.successful(null);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        return Futures.successful(store.highestSequenceNr(persistenceId));
    }
}
