package io.varve.actors.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The in-memory plugins under a real event-sourced actor: its events and snapshots are written,
 * an actor started again recovers exactly its state, and the read journal lists the persistence
 * ids and one id's events as written.
 */
class InMemoryJournalTest {
    private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString(
                    """
                    pekko.persistence.journal.plugin = varve-memory-journal
                    pekko.persistence.snapshot-store.plugin = varve-memory-snapshot-store
                    """)
            .withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    sealed interface Command {}

    record Add(String item, ActorRef<List<String>> replyTo) implements Command {}

    record Get(ActorRef<List<String>> replyTo) implements Command {}

    /** Appends each item as an event; snapshots every 3 events and deletes the events before. */
    static final class Items extends EventSourcedBehavior<Command, String, List<String>> {
        Items(String id) {
            super(PersistenceId.ofUniqueId(id));
        }

        @Override
        public List<String> emptyState() {
            return List.of();
        }

        @Override
        public CommandHandler<Command, String, List<String>> commandHandler() {
            return newCommandHandlerBuilder()
                    .forAnyState()
                    .onCommand(
                            Add.class,
                            (state, add) -> Effect().persist(add.item()).thenReply(add.replyTo(), s -> s))
                    .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<List<String>, String> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onAnyEvent((state, item) -> {
                List<String> next = new ArrayList<>(state);
                next.add(item);
                return List.copyOf(next);
            });
        }

        @Override
        public RetentionCriteria retentionCriteria() {
            return RetentionCriteria.snapshotEvery(3, 1).withDeleteEventsOnSnapshot();
        }
    }

    private static Behavior<Command> items(String id) {
        return new Items(id);
    }

    private static List<String> add(ActorRef<Command> entity, String item) {
        TestProbe<List<String>> probe = testKit.createTestProbe();
        entity.tell(new Add(item, probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(10));
    }

    @Test
    void anEntityStartedAgainRecoversFromItsSnapshotAndLaterEvents() {
        ActorRef<Command> first = testKit.spawn(items("recovered"));
        for (int i = 1; i <= 7; i++) {
            add(first, "item-" + i);
        }
        testKit.stop(first);

        ActorRef<Command> again = testKit.spawn(items("recovered"));
        TestProbe<List<String>> probe = testKit.createTestProbe();
        again.tell(new Get(probe.ref()));

        assertThat(probe.receiveMessage(Duration.ofSeconds(10)))
                .containsExactly("item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "item-7");
        InMemoryStore store = InMemoryStore.ID.get(Adapter.toClassic(testKit.system()));
        // snapshots at 3 and 6; deleting on the snapshot at 6 drops the events up to 3
        assertThat(store.highestSequenceNr("recovered")).isEqualTo(7);
        assertThat(store.events("recovered", 0, Long.MAX_VALUE, Long.MAX_VALUE).stream()
                        .map(r -> r.sequenceNr())
                        .toList())
                .containsExactly(4L, 5L, 6L, 7L);
    }

    @Test
    void theReadJournalListsPersistenceIdsAndTheirCurrentEvents() throws Exception {
        ActorRef<Command> a = testKit.spawn(items("query-a"));
        ActorRef<Command> b = testKit.spawn(items("query-b"));
        add(a, "a-1");
        add(b, "b-1");
        add(b, "b-2");

        InMemoryReadJournal journal = PersistenceQuery.get(Adapter.toClassic(testKit.system()))
                .getReadJournalFor(InMemoryReadJournal.class, InMemoryReadJournal.PLUGIN_ID);
        List<String> ids = journal.currentPersistenceIds()
                .runWith(Sink.seq(), testKit.system())
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        List<EventEnvelope> events = journal.currentEventsByPersistenceId("query-b", 0, Long.MAX_VALUE)
                .runWith(Sink.seq(), testKit.system())
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(ids).contains("query-a", "query-b").doesNotContain("query-c");
        assertThat(events).extracting(EventEnvelope::event).containsExactly("b-1", "b-2");
        assertThat(events).extracting(EventEnvelope::sequenceNr).containsExactly(1L, 2L);
        assertThat(events).extracting(EventEnvelope::persistenceId).containsOnly("query-b");
    }
}
