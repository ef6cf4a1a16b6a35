package io.varve.txn;

import io.varve.txn.TransactionRegistry.Command;
import io.varve.txn.TransactionRegistry.ListTransactions;
import io.varve.txn.TransactionRegistry.Listing;
import io.varve.txn.TransactionRegistry.Track;
import io.varve.txn.TransactionRegistry.TransactionListing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The behavior of {@link TransactionRegistry}: the listings by id, the {@link
 * Deadlines} and one timer at the earliest of them. A due id is sent {@code CheckDeadline} and
 * looked at again after the retry interval unless its entity reports a new deadline first.
 */
final class RegistryBehavior extends AbstractBehavior<Command> {

    private static final Object TIMER = "deadline";

    private final Function<String, RecipientRef<TransactionCoordinator.Command>> coordinators;
    private final Supplier<CompletionStage<List<String>>> transactionalIds;
    private final Duration retryInterval;
    private final LongSupplier clock;
    private final TimerScheduler<Command> timers;
    private final Map<String, TransactionListing> listings = new HashMap<>();
    private final Deadlines deadlines = new Deadlines();
    private Predicate<String> coordinatedHere = id -> true;

    private RegistryBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Function<String, RecipientRef<TransactionCoordinator.Command>> coordinators,
            Supplier<CompletionStage<List<String>>> transactionalIds,
            Duration retryInterval,
            LongSupplier clock) {
        super(context);
        this.timers = timers;
        this.coordinators = coordinators;
        this.transactionalIds = transactionalIds;
        this.retryInterval = retryInterval;
        this.clock = clock;
    }

    static Behavior<Command> create(
            Function<String, RecipientRef<TransactionCoordinator.Command>> coordinators,
            Supplier<CompletionStage<List<String>>> transactionalIds,
            Duration retryInterval,
            LongSupplier clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            context.pipeToSelf(transactionalIds.get(), TransactionRegistry.IdsListed::new);
            return new RegistryBehavior(context, timers, coordinators, transactionalIds, retryInterval, clock);
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Track.class, this::onTrack)
                .onMessage(ListTransactions.class, this::onList)
                .onMessage(TransactionRegistry.Tick.class, this::onTick)
                .onMessage(TransactionRegistry.IdsListed.class, this::onIdsListed)
                .onMessage(TransactionRegistry.PlacementChanged.class, this::onPlacementChanged)
                .build();
    }

    private Behavior<Command> onTrack(Track track) {
        if (track.listing() == null) {
            listings.remove(track.transactionalId());
            deadlines.remove(track.transactionalId());
        } else {
            listings.put(track.transactionalId(), track.listing());
            deadlines.set(track.transactionalId(), track.deadlineMs());
        }
        schedule();
        return this;
    }

    /**
     * Start, or a change of the live brokers: every id with a journal that this node coordinates is
     * looked at now and again every retry interval until its entity reports (Kafka loads its
     * transaction log partitions); the entities of ids already tracked here have reported.
     */
    private Behavior<Command> onIdsListed(TransactionRegistry.IdsListed listed) {
        if (listed.failure() != null) {
            getContext()
                    .getLog()
                    .error(
                            "listing transactional ids failed; their timeouts wait for their producers",
                            listed.failure());
            return this;
        }
        long now = clock.getAsLong();
        int woken = 0;
        for (String id : listed.ids()) {
            if (coordinatedHere.test(id) && !listings.containsKey(id)) {
                deadlines.set(id, now);
                woken++;
            }
        }
        getContext()
                .getLog()
                .info(
                        "waking {} of {} transactional id(s) found in the journal",
                        woken,
                        listed.ids().size());
        schedule();
        return this;
    }

    /** Drops the ids placed elsewhere now and looks for the journal's ids placed here. */
    private Behavior<Command> onPlacementChanged(TransactionRegistry.PlacementChanged changed) {
        coordinatedHere = changed.coordinatedHere();
        listings.keySet().removeIf(id -> !coordinatedHere.test(id));
        for (String id : deadlines.ids()) {
            if (!coordinatedHere.test(id)) {
                deadlines.remove(id);
            }
        }
        getContext().pipeToSelf(transactionalIds.get(), TransactionRegistry.IdsListed::new);
        schedule();
        return this;
    }

    private Behavior<Command> onTick(TransactionRegistry.Tick tick) {
        long now = clock.getAsLong();
        for (String id : deadlines.due(now)) {
            coordinators.apply(id).tell(new TransactionCoordinator.CheckDeadline());
            deadlines.set(id, now + retryInterval.toMillis());
        }
        schedule();
        return this;
    }

    private void schedule() {
        OptionalLong earliest = deadlines.earliest();
        if (earliest.isEmpty()) {
            timers.cancel(TIMER);
            return;
        }
        long delay = Math.max(0, earliest.getAsLong() - clock.getAsLong());
        timers.startSingleTimer(TIMER, new TransactionRegistry.Tick(), Duration.ofMillis(delay));
    }

    private Behavior<Command> onList(ListTransactions list) {
        Pattern pattern;
        try {
            pattern = list.idPattern() == null || list.idPattern().isEmpty() ? null : Pattern.compile(list.idPattern());
        } catch (PatternSyntaxException e) {
            list.replyTo().tell(new Listing(Errors.INVALID_REGULAR_EXPRESSION, List.of()));
            return this;
        }
        long now = clock.getAsLong();
        List<TransactionListing> matching = new ArrayList<>();
        for (TransactionListing listing : listings.values()) {
            if (matches(list, pattern, listing, now)) {
                matching.add(listing);
            }
        }
        matching.sort((a, b) -> a.transactionalId().compareTo(b.transactionalId()));
        list.replyTo().tell(new Listing(Errors.NONE, matching));
        return this;
    }

    private static boolean matches(ListTransactions list, Pattern pattern, TransactionListing listing, long now) {
        return (list.states().isEmpty() || list.states().contains(listing.state()))
                && (list.producerIds().isEmpty() || list.producerIds().contains(listing.producerId()))
                && (list.durationMs() < 0 || now - listing.txnStartTimestamp() > list.durationMs())
                && (pattern == null
                        || pattern.matcher(listing.transactionalId()).matches());
    }
}
