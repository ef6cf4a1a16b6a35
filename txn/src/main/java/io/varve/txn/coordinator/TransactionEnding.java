package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.AddPartitions;
import io.varve.txn.TransactionCoordinator.Command;
import io.varve.txn.TransactionCoordinator.CompleteTransaction;
import io.varve.txn.TransactionCoordinator.MarkersWritten;
import io.varve.txn.TransactionCoordinator.PartitionErrors;
import io.varve.txn.TransactionCoordinator.ReleaseHeldAdds;
import io.varve.txn.TransactionCoordinator.RetryMarkers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * How a {@link TransactionEntity} persists its transitions and ends its transactions: the
 * coordinator epoch of this incarnation persisted before its first markers, the rounds of markers
 * of a {@code PrepareCommit}/{@code PrepareAbort} ({@link MarkerRound}, {@link MarkerDispatch},
 * {@link MarkerOutcomes}) with their retries, and the completion: at once, after {@code
 * completion-linger}, or in one journal write with the next transaction's start when partition
 * leaders' adds were held meanwhile ({@link HeldAdds}). The effects it returns are its entity's.
 * Not thread-safe: confined to the entity's thread, as is all its state (transient: a recovered
 * entity in a {@code Prepare*} state resumes its markers).
 */
final class TransactionEnding {
    private static final Object RETRY_TIMER = "retry-markers";
    private static final Object HOLD_TIMER = "release-held-adds";
    private static final Object COMPLETE_TIMER = "complete-transaction";

    private final String transactionalId;
    private final CoordinatorServices services;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final TransactionStateMachine machine;
    private final EffectFactories<TransactionEvent, TransactionRecord> effects;
    private final Consumer<TransactionRecord> report;
    private final LongSupplier clock;
    private final MarkerRound markers = new MarkerRound();
    private final HeldAdds heldAdds = new HeldAdds();
    private boolean epochIncremented;
    /** The markers are written; the completion waits (completion-linger) for the next transaction's add. */
    private boolean completionDue;

    TransactionEnding(
            String transactionalId,
            CoordinatorServices services,
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            TransactionStateMachine machine,
            EffectFactories<TransactionEvent, TransactionRecord> effects,
            Consumer<TransactionRecord> report) {
        this.transactionalId = transactionalId;
        this.services = services;
        this.context = context;
        this.timers = timers;
        this.machine = machine;
        this.effects = effects;
        this.report = report;
        this.clock = services.clock();
    }

    /** Whether the markers are being written or the written transaction's completion lingers. */
    boolean isEnding() {
        return markers.isActive() || completionDue;
    }

    boolean isCompletionDue() {
        return completionDue;
    }

    /**
     * Persists {@code next} (with this incarnation's coordinator epoch first, before its first
     * markers), then reports it and starts the markers of a decision.
     */
    EffectBuilder<TransactionEvent, TransactionRecord> transit(TransactionRecord state, TransactionMetadata next) {
        List<TransactionEvent> events = new ArrayList<>();
        if (next.state().isPreparing() && !epochIncremented) {
            events.add(new TransactionEvent.CoordinatorEpochIncremented(state.coordinatorEpoch() + 1));
            epochIncremented = true;
        }
        events.add(new TransactionEvent.TransactionRecorded(next));
        return effects.persist(events).thenRun(this::afterTransition);
    }

    /** A recovered (or poked) entity whose decision is persisted: writes the markers (again). */
    ReplyEffect<TransactionEvent, TransactionRecord> resumeMarkers(TransactionRecord state) {
        if (epochIncremented) {
            return effects.none().thenRun(this::afterTransition).thenNoReply();
        }
        epochIncremented = true;
        return effects.persist(new TransactionEvent.CoordinatorEpochIncremented(state.coordinatorEpoch() + 1))
                .thenRun(this::afterTransition)
                .thenNoReply();
    }

    private void afterTransition(TransactionRecord state) {
        report.accept(state);
        if (state.metadata() != null && state.metadata().state().isPreparing()) {
            markers.start(state.metadata().partitions(), state.metadata().groups());
            sendMarkers(state);
        } else {
            markers.clear();
            if (!heldAdds.isEmpty()) {
                // the transaction completed: the held adds are handled now, after what is stashed
                timers.cancel(HOLD_TIMER);
                heldAdds.release().forEach(context.getSelf()::tell);
            }
        }
    }

    /** Sends the markers still owed, in parallel; the answers come back as {@link MarkersWritten}. */
    private void sendMarkers(TransactionRecord state) {
        context.pipeToSelf(MarkerDispatch.send(services, state, markers), (written, failure) -> written);
    }

    ReplyEffect<TransactionEvent, TransactionRecord> onMarkersWritten(TransactionRecord state, MarkersWritten written) {
        TransactionMetadata metadata = state.metadata();
        if (!markers.isCurrent(written.round())
                || metadata == null
                || !metadata.state().isPreparing()) {
            return effects.noReply();
        }
        MarkerOutcomes.Verdict verdict = MarkerOutcomes.apply(written, markers, transactionalId, context.getLog());
        if (verdict == MarkerOutcomes.Verdict.FENCED) {
            markers.clear();
            answerHeld(heldAdds.release());
            return effects.stop().thenNoReply();
        }
        if (!markers.isDone()) {
            timers.startSingleTimer(
                    RETRY_TIMER,
                    new RetryMarkers(written.round()),
                    services.settings().markerRetryBackoff());
            return effects.noReply();
        }
        markers.clear();
        context.getLog()
                .debug(
                        "markers of {} ({}) written {} ms after the decision",
                        transactionalId,
                        metadata.state(),
                        clock.getAsLong() - metadata.txnLastUpdateTimestamp());
        TransactionMetadata completed = machine.complete(metadata, clock.getAsLong());
        if (!heldAdds.isEmpty()) {
            return completeWithHeldAdds(completed);
        }
        Duration linger = services.settings().completionLinger();
        if (metadata.clientTransactionVersion() >= 2 && !linger.isZero()) {
            completionDue = true;
            timers.startSingleTimer(COMPLETE_TIMER, new CompleteTransaction(), linger);
            return effects.noReply();
        }
        return transit(state, completed).thenNoReply();
    }

    ReplyEffect<TransactionEvent, TransactionRecord> onRetryMarkers(TransactionRecord state, RetryMarkers retry) {
        if (!markers.isCurrent(retry.round())) {
            return effects.noReply();
        }
        return effects.none().thenRun(this::sendMarkers).thenNoReply();
    }

    /**
     * A producer request while the completion lingers: the completion is persisted first, then
     * {@code command} is handled as if it had come after it.
     */
    ReplyEffect<TransactionEvent, TransactionRecord> completeThen(TransactionRecord state, Command command) {
        completionDue = false;
        timers.cancel(COMPLETE_TIMER);
        return transit(state, machine.complete(state.metadata(), clock.getAsLong()))
                .thenRun(recorded -> context.getSelf().tell(command))
                .thenNoReply();
    }

    /** The completion linger passed without an add of the next transaction: persist it alone. */
    ReplyEffect<TransactionEvent, TransactionRecord> onCompleteTransaction(
            TransactionRecord state, CompleteTransaction complete) {
        if (!completionDue) {
            return effects.noReply();
        }
        completionDue = false;
        return transit(state, machine.complete(state.metadata(), clock.getAsLong()))
                .thenNoReply();
    }

    /**
     * A partition leader's add (transaction version 2) for the producer epoch whose previous
     * transaction is still writing markers: held until it completes, and if only its completion
     * lingers, it completes now with this add in the same write.
     */
    ReplyEffect<TransactionEvent, TransactionRecord> hold(TransactionRecord state, AddPartitions add) {
        long period = heldAdds.hold(add);
        if (completionDue) {
            completionDue = false;
            timers.cancel(COMPLETE_TIMER);
            return completeWithHeldAdds(machine.complete(state.metadata(), clock.getAsLong()));
        }
        if (period >= 0) {
            timers.startSingleTimer(
                    HOLD_TIMER, new ReleaseHeldAdds(period), services.settings().addPartitionsRetryTimeout());
        }
        return effects.noReply();
    }

    /** Whether {@code add} is a leader's add that must wait for the markers of its producer's transaction. */
    static boolean waitsForMarkers(TransactionMetadata metadata, AddPartitions add) {
        return add.transactionVersion() >= 2
                && metadata != null
                && metadata.state().isPreparing()
                && metadata.producerId() == add.producerId()
                && metadata.producerEpoch() == add.producerEpoch();
    }

    ReplyEffect<TransactionEvent, TransactionRecord> onReleaseHeldAdds(ReleaseHeldAdds release) {
        answerHeld(heldAdds.releaseIfCurrent(release.since()));
        return effects.noReply();
    }

    /**
     * The transaction completed while leaders' adds for the next one were held: the completion and
     * the next transaction's start are persisted in one journal write, then the adds answered.
     */
    private ReplyEffect<TransactionEvent, TransactionRecord> completeWithHeldAdds(TransactionMetadata completed) {
        timers.cancel(HOLD_TIMER);
        List<AddPartitions> adds = heldAdds.release();
        List<Map<TopicPartition, Errors>> answers = new ArrayList<>();
        TransactionMetadata next = completed;
        for (AddPartitions add : adds) {
            Outcome outcome = machine.add(
                    next,
                    add.producerId(),
                    add.producerEpoch(),
                    Set.copyOf(add.partitions()),
                    Set.of(),
                    add.transactionVersion(),
                    clock.getAsLong());
            answers.add(sameError(add.partitions(), outcome.error()));
            if (outcome.changes()) {
                next = outcome.next();
            }
        }
        List<TransactionEvent> events = new ArrayList<>();
        events.add(new TransactionEvent.TransactionRecorded(completed));
        if (next != completed) {
            events.add(new TransactionEvent.TransactionRecorded(next));
        }
        return effects.persist(events)
                .thenRun(this::afterTransition)
                .thenRun(recorded -> {
                    for (int i = 0; i < adds.size(); i++) {
                        adds.get(i).replyTo().tell(new PartitionErrors(answers.get(i)));
                    }
                })
                .thenNoReply();
    }

    /** Answers held adds CONCURRENT_TRANSACTIONS: the leader asks again, as Kafka's would. */
    private static void answerHeld(List<AddPartitions> adds) {
        adds.forEach(add ->
                add.replyTo().tell(new PartitionErrors(sameError(add.partitions(), Errors.CONCURRENT_TRANSACTIONS))));
    }

    /** The same error for every partition of a request. */
    static Map<TopicPartition, Errors> sameError(List<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return Map.copyOf(errors);
    }
}
