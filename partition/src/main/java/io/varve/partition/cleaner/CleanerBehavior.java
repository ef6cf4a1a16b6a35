package io.varve.partition.cleaner;

import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionActor.CleanableDescription;
import io.varve.partition.cleaner.LogCleaner.Cleaned;
import io.varve.partition.cleaner.LogCleaner.Command;
import io.varve.partition.cleaner.LogCleaner.Described;
import io.varve.partition.cleaner.LogCleaner.StartTimedOut;
import io.varve.partition.cleaner.LogCleaner.Started;
import io.varve.partition.cleaner.LogCleaner.SurveyTimedOut;
import io.varve.partition.cleaner.LogCleaner.Swapped;
import io.varve.partition.cleaner.LogCleaner.Tick;
import io.varve.partition.cleaner.LogCleaner.Track;
import io.varve.partition.cleaner.LogCleaner.Untrack;
import io.varve.storage.cleaner.Cleaner;
import io.varve.storage.cleaner.CleanerCheckpoints;
import io.varve.storage.cleaner.CleaningAbortedException;
import io.varve.storage.cleaner.CleaningResult;
import io.varve.storage.cleaner.CleaningSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LogCleaner}'s behavior: tracked partitions, the survey of how dirty they are, the idle
 * workers (one per cleaner thread) and the cleanings in flight. Runs on the storage dispatcher; the
 * cleanings themselves on the cleaner dispatcher.
 */
final class CleanerBehavior extends AbstractBehavior<Command> {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);
    private static final Object TICK = "tick";

    private final TimerScheduler<Command> timers;
    private final CleanerSettings settings;
    private final Executor cleanerThreads;
    private final CleanerCheckpoints checkpoints;
    private final Map<TopicPartition, ActorRef<PartitionActor.Command>> tracked = new HashMap<>();
    private final Map<TopicPartition, Cleaning> inProgress = new HashMap<>();
    private final Map<Long, Cleaning> reserved = new HashMap<>();
    private final Set<TopicPartition> uncleanable = new HashSet<>();
    private final Deque<Cleaner> idle = new ArrayDeque<>();
    private final Map<TopicPartition, CleanableDescription> described = new HashMap<>();
    private final Set<TopicPartition> awaited = new HashSet<>();
    private long round;
    private boolean surveying;
    private long nextCleaningId;

    CleanerBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            Path dataDir,
            CleanerSettings settings,
            Executor cleanerThreads) {
        super(context);
        this.timers = timers;
        this.settings = settings;
        this.cleanerThreads = cleanerThreads;
        this.checkpoints = CleanerCheckpoints.load(dataDir);
        for (int i = 0; i < settings.threads(); i++) {
            idle.add(settings.newWorker());
        }
        timers.startSingleTimer(TICK, new Tick(), settings.backoff());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Track.class, this::onTrack)
                .onMessage(Untrack.class, this::onUntrack)
                .onMessage(Tick.class, this::onTick)
                .onMessage(Described.class, this::onDescribed)
                .onMessage(SurveyTimedOut.class, this::onSurveyTimedOut)
                .onMessage(Started.class, this::onStarted)
                .onMessage(StartTimedOut.class, this::onStartTimedOut)
                .onMessage(Cleaned.class, this::onCleaned)
                .onMessage(Swapped.class, this::onSwapped)
                .onSignal(PostStop.class, signal -> onPostStop())
                .build();
    }

    private Behavior<Command> onTrack(Track track) {
        if (track.compacted()) {
            ActorRef<PartitionActor.Command> previous = tracked.put(track.tp(), track.partition());
            if (previous != null && !previous.equals(track.partition())) {
                abort(track.tp()); // a new replica of the partition: its old cleaning is moot
                uncleanable.remove(track.tp());
            }
        } else {
            tracked.remove(track.tp());
            abort(track.tp());
        }
        return this;
    }

    private Behavior<Command> onUntrack(Untrack untrack) {
        tracked.remove(untrack.tp());
        uncleanable.remove(untrack.tp());
        abort(untrack.tp());
        if (untrack.deleted()) {
            try {
                checkpoints.remove(untrack.tp());
            } catch (IOException e) {
                log.error("cannot remove {} from the cleaner checkpoint", untrack.tp(), e);
            }
        }
        return this;
    }

    /** Calls off the partition's cleaning, if any; a running cleaner thread stops at its next chunk. */
    private void abort(TopicPartition tp) {
        Cleaning cleaning = inProgress.remove(tp);
        if (cleaning == null) {
            return;
        }
        cleaning.aborted.set(true);
        log.info("calling off the cleaning of {} ({}): the partition stopped or changed", tp, cleaning.phase);
        if (cleaning.phase == Cleaning.Phase.STARTING) {
            release(cleaning); // no task runs; a snapshot arriving late is closed
        }
    }

    // ---- survey: how dirty is each compacted log? ----

    private Behavior<Command> onTick(Tick tick) {
        if (surveying || idle.isEmpty()) {
            return this;
        }
        List<TopicPartition> candidates = tracked.keySet().stream()
                .filter(tp -> !inProgress.containsKey(tp) && !uncleanable.contains(tp))
                .toList();
        if (candidates.isEmpty()) {
            timers.startSingleTimer(TICK, new Tick(), settings.backoff());
            return this;
        }
        surveying = true;
        round++;
        described.clear();
        awaited.clear();
        awaited.addAll(candidates);
        long thisRound = round;
        ActorRef<CleanableDescription> replies =
                getContext().messageAdapter(CleanableDescription.class, d -> new Described(thisRound, d));
        for (TopicPartition tp : candidates) {
            tracked.get(tp).tell(new PartitionActor.DescribeCleanable(checkpoints.get(tp), replies));
        }
        timers.startSingleTimer(TICK, new SurveyTimedOut(round), settings.askTimeout());
        return this;
    }

    private Behavior<Command> onDescribed(Described reply) {
        if (reply.round() != round || !surveying) {
            return this;
        }
        CleanableDescription description = reply.description();
        described.put(description.tp(), description);
        awaited.remove(description.tp());
        if (awaited.isEmpty()) {
            finishSurvey();
        }
        return this;
    }

    private Behavior<Command> onSurveyTimedOut(SurveyTimedOut timedOut) {
        if (timedOut.round() == round && surveying) {
            log.warn("{} partition(s) did not say how dirty they are in time: {}", awaited.size(), awaited);
            finishSurvey();
        }
        return this;
    }

    /** Starts the dirtiest due logs, one per idle thread; with none due, waits the backoff. */
    private void finishSurvey() {
        surveying = false;
        List<CleanableDescription> due = new ArrayList<>();
        for (CleanableDescription d : described.values()) {
            if (d.range() == null || !tracked.containsKey(d.tp()) || inProgress.containsKey(d.tp())) {
                continue;
            }
            maybeResetCheckpoint(d);
            if (d.range().isCleanable(d.minCleanableDirtyRatio())) {
                due.add(d);
            }
        }
        due.sort(
                Comparator.comparingDouble((CleanableDescription d) -> d.range().cleanableRatio())
                        .reversed());
        for (CleanableDescription d : due) {
            if (idle.isEmpty()) {
                break;
            }
            start(d.tp());
        }
        if (inProgress.isEmpty() || !idle.isEmpty()) {
            timers.startSingleTimer(TICK, new Tick(), settings.backoff());
        }
    }

    private void maybeResetCheckpoint(CleanableDescription d) {
        if (d.range().checkpointReset()) {
            try {
                checkpoints.update(d.tp(), d.range().firstDirtyOffset());
            } catch (IOException e) {
                log.error("cannot update the cleaner checkpoint of {}", d.tp(), e);
            }
        }
    }

    // ---- one cleaning: start, clean, swap ----

    private void start(TopicPartition tp) {
        Cleaning cleaning = new Cleaning(nextCleaningId++, tp, tracked.get(tp), idle.poll());
        inProgress.put(tp, cleaning);
        reserved.put(cleaning.id, cleaning);
        ActorRef<PartitionActor.CleaningStarted> replies =
                getContext().messageAdapter(PartitionActor.CleaningStarted.class, Started::new);
        cleaning.partition.tell(new PartitionActor.StartCleaning(checkpoints.get(tp), replies));
        timers.startSingleTimer(cleaning, new StartTimedOut(tp, cleaning.id), settings.askTimeout());
    }

    private Behavior<Command> onStarted(Started started) {
        PartitionActor.CleaningStarted reply = started.started();
        Cleaning cleaning = inProgress.get(reply.tp());
        if (cleaning == null || cleaning.phase != Cleaning.Phase.STARTING) {
            if (reply.snapshot() != null) {
                reply.snapshot().close();
            }
            return this;
        }
        timers.cancel(cleaning);
        if (reply.snapshot() == null) {
            log.debug("not cleaning {}: {}", reply.tp(), reply.refusal());
            inProgress.remove(cleaning.tp);
            release(cleaning);
            return this;
        }
        cleaning.phase = Cleaning.Phase.CLEANING;
        CleaningSnapshot snapshot = reply.snapshot();
        CompletableFuture<CleaningResult> task =
                CompletableFuture.supplyAsync(() -> clean(cleaning, snapshot), cleanerThreads);
        getContext()
                .pipeToSelf(task, (result, failure) -> new Cleaned(cleaning.tp, cleaning.id, result, unwrap(failure)));
        return this;
    }

    private Behavior<Command> onStartTimedOut(StartTimedOut timedOut) {
        Cleaning cleaning = inProgress.get(timedOut.tp());
        if (cleaning != null && cleaning.id == timedOut.cleaningId() && cleaning.phase == Cleaning.Phase.STARTING) {
            log.warn("{} did not take its cleaning snapshot in time; trying later", timedOut.tp());
            abort(timedOut.tp());
        }
        return this;
    }

    /** On a cleaner thread. */
    private static CleaningResult clean(Cleaning cleaning, CleaningSnapshot snapshot) {
        try (snapshot) {
            return cleaning.worker.clean(snapshot, cleaning.aborted::get);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleaningAbortedException("the cleaner thread of " + cleaning.tp + " was interrupted");
        }
    }

    private Behavior<Command> onCleaned(Cleaned cleaned) {
        Cleaning cleaning = reserved.get(cleaned.cleaningId());
        release(cleaning);
        boolean current = inProgress.get(cleaned.tp()) == cleaning && !cleaning.aborted.get();
        if (cleaned.failure() != null) {
            inProgress.remove(cleaned.tp(), cleaning);
            onFailure(cleaned, current);
        } else if (!current) {
            cleaned.result().discardFrom(0);
        } else {
            cleaning.phase = Cleaning.Phase.SWAPPING;
            ActorRef<PartitionActor.CleanedSwapped> replies =
                    getContext().messageAdapter(PartitionActor.CleanedSwapped.class, Swapped::new);
            cleaning.partition.tell(new PartitionActor.SwapCleaned(cleaned.result(), replies));
        }
        return this;
    }

    private void onFailure(Cleaned cleaned, boolean current) {
        Throwable failure = cleaned.failure();
        if (failure instanceof CleaningAbortedException || !current) {
            log.info("cleaning of {} stopped: {}", cleaned.tp(), failure.toString());
            return;
        }
        uncleanable.add(cleaned.tp());
        log.error(
                "cleaning {} failed; it is marked uncleanable until it is hosted again, other logs go on",
                cleaned.tp(),
                failure);
    }

    private Behavior<Command> onSwapped(Swapped swapped) {
        PartitionActor.CleanedSwapped reply = swapped.swapped();
        Cleaning cleaning = inProgress.get(reply.tp());
        if (cleaning != null && cleaning.phase == Cleaning.Phase.SWAPPING) {
            inProgress.remove(reply.tp());
        }
        CleaningResult result = reply.result();
        if (!reply.outcome().isComplete()) {
            log.info(
                    "cleaned segments of {} not swapped in: {}",
                    reply.tp(),
                    reply.outcome().refusal());
        } else if (tracked.containsKey(reply.tp())) {
            try {
                checkpoints.update(reply.tp(), result.endOffset());
            } catch (IOException e) {
                log.error("cannot write the cleaner checkpoint for {}", reply.tp(), e);
            }
            log.info(
                    "cleaned {} offsets [{}, {}), {} segment(s) swapped in: {}",
                    reply.tp(),
                    result.range().firstDirtyOffset(),
                    result.endOffset(),
                    reply.outcome().swapped(),
                    result.stats().summary());
        }
        getContext().getSelf().tell(new Tick());
        return this;
    }

    /** The cleaning no longer needs its worker: it is free, and the next log may be picked at once. */
    private void release(Cleaning cleaning) {
        if (reserved.remove(cleaning.id) != null) {
            idle.add(cleaning.worker);
        }
        getContext().getSelf().tell(new Tick());
    }

    private Behavior<Command> onPostStop() {
        reserved.values().forEach(c -> c.aborted.set(true));
        return this;
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
