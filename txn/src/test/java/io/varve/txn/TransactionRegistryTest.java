package io.varve.txn;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.txn.TransactionRegistry.ListTransactions;
import io.varve.txn.TransactionRegistry.Listing;
import io.varve.txn.TransactionRegistry.Track;
import io.varve.txn.TransactionRegistry.TransactionListing;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TransactionRegistryTest {
    private static final long NOW = 1_700_000_000_000L;

    private ActorTestKit testKit;
    private final AtomicLong clock = new AtomicLong(NOW);
    private final Map<String, TestProbe<TransactionCoordinator.Command>> entities = new ConcurrentHashMap<>();

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create();
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private TestProbe<TransactionCoordinator.Command> entity(String id) {
        return entities.computeIfAbsent(id, ignored -> testKit.createTestProbe());
    }

    private ActorRef<TransactionRegistry.Command> registry(List<String> journalIds) {
        return testKit.spawn(TransactionRegistry.create(
                id -> (RecipientRef<TransactionCoordinator.Command>) entity(id).ref(),
                () -> CompletableFuture.completedFuture(journalIds),
                Duration.ofSeconds(10),
                clock::get));
    }

    private List<TransactionListing> list(
            ActorRef<TransactionRegistry.Command> registry,
            Set<String> states,
            Set<Long> pids,
            long duration,
            String pattern) {
        TestProbe<Listing> probe = testKit.createTestProbe();
        registry.tell(new ListTransactions(states, pids, duration, pattern, probe.ref()));
        Listing listing = probe.receiveMessage();
        assertThat(listing.error()).isEqualTo(Errors.NONE);
        return listing.transactions();
    }

    @Test
    void wakesEveryIdOfTheJournalOnStart() {
        registry(List.of("a", "b"));

        entity("a").expectMessage(new TransactionCoordinator.CheckDeadline());
        entity("b").expectMessage(new TransactionCoordinator.CheckDeadline());
    }

    @Test
    void listsWithKafkasFilters() {
        ActorRef<TransactionRegistry.Command> registry = registry(List.of());
        TransactionListing open = new TransactionListing("orders-1", 10, "Ongoing", NOW - 5_000);
        TransactionListing idle = new TransactionListing("orders-2", 11, "CompleteCommit", -1);
        TransactionListing other = new TransactionListing("payments", 12, "Ongoing", NOW - 100);
        registry.tell(new Track("orders-1", open, Long.MAX_VALUE));
        registry.tell(new Track("orders-2", idle, Long.MAX_VALUE));
        registry.tell(new Track("payments", other, Long.MAX_VALUE));
        registry.tell(new Track("gone", new TransactionListing("gone", 13, "Empty", -1), Long.MAX_VALUE));
        registry.tell(new Track("gone", null, Long.MAX_VALUE));

        assertThat(list(registry, Set.of(), Set.of(), -1, null)).containsExactly(open, idle, other);
        assertThat(list(registry, Set.of("Ongoing"), Set.of(), -1, null)).containsExactly(open, other);
        assertThat(list(registry, Set.of(), Set.of(11L), -1, null)).containsExactly(idle);
        assertThat(list(registry, Set.of("Ongoing"), Set.of(), 1_000, null)).containsExactly(open);
        assertThat(list(registry, Set.of(), Set.of(), -1, "orders-.*")).containsExactly(open, idle);
        TestProbe<Listing> invalid = testKit.createTestProbe();
        registry.tell(new ListTransactions(Set.of(), Set.of(), -1, "orders-(", invalid.ref()));
        assertThat(invalid.receiveMessage().error()).isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    }

    @Test
    void pokesAnIdAtItsDeadlineAndAgainUntilItReports() {
        ActorRef<TransactionRegistry.Command> registry = registry(List.of());
        TransactionListing open = new TransactionListing("t", 1, "Ongoing", NOW);

        registry.tell(new Track("t", open, NOW + 300));
        entity("t").expectNoMessage(Duration.ofMillis(100));
        clock.set(NOW + 300);
        registry.tell(new Track("t", open, NOW + 300)); // reschedules against the moved clock

        entity("t").expectMessage(Duration.ofSeconds(3), new TransactionCoordinator.CheckDeadline());
    }

    @Test
    void aPlacementChangeDropsIdsPlacedElsewhereAndWakesTheJournalsIdsPlacedHere() {
        ActorRef<TransactionRegistry.Command> registry = registry(List.of("here-1", "here-2", "there"));
        entity("here-1").expectMessage(new TransactionCoordinator.CheckDeadline());
        entity("there").expectMessage(new TransactionCoordinator.CheckDeadline());
        TransactionListing stays = new TransactionListing("here-1", 1, "Ongoing", NOW);
        TransactionListing moves = new TransactionListing("there", 2, "Ongoing", NOW);
        registry.tell(new Track("here-1", stays, Long.MAX_VALUE));
        registry.tell(new Track("there", moves, Long.MAX_VALUE));
        entity("here-2").expectMessage(new TransactionCoordinator.CheckDeadline()); // never reports

        registry.tell(new TransactionRegistry.PlacementChanged(id -> id.startsWith("here")));

        assertThat(list(registry, Set.of(), Set.of(), -1, null))
                .as("the moved id is listed by its new node only")
                .containsExactly(stays);
        // here-2 (not reported yet) is poked again; here-1 reported; the moved one is left alone
        entity("here-2").expectMessage(Duration.ofSeconds(3), new TransactionCoordinator.CheckDeadline());
        entity("here-1").expectNoMessage(Duration.ofMillis(200));
        entity("there").expectNoMessage(Duration.ZERO);
        clock.addAndGet(10_000);
        registry.tell(new Track("here-1", stays, Long.MAX_VALUE)); // a tick against the moved clock
        entity("here-2").expectMessage(Duration.ofSeconds(3), new TransactionCoordinator.CheckDeadline());
        registry.tell(new Track("here-2", new TransactionListing("here-2", 3, "Empty", -1), Long.MAX_VALUE));
        clock.addAndGet(10_000);
        registry.tell(new Track("here-1", stays, Long.MAX_VALUE));
        entity("here-2").expectNoMessage(Duration.ofMillis(300));
    }
}
