package io.varve.txn.coordinator;

import io.varve.txn.TransactionCoordinator.AddOffsets;
import io.varve.txn.TransactionCoordinator.AddPartitions;
import io.varve.txn.TransactionCoordinator.CheckDeadline;
import io.varve.txn.TransactionCoordinator.Command;
import io.varve.txn.TransactionCoordinator.CompleteTransaction;
import io.varve.txn.TransactionCoordinator.Describe;
import io.varve.txn.TransactionCoordinator.EndTxn;
import io.varve.txn.TransactionCoordinator.ErrorResult;
import io.varve.txn.TransactionCoordinator.InitProducerId;
import io.varve.txn.TransactionCoordinator.MarkersWritten;
import io.varve.txn.TransactionCoordinator.PartitionErrors;
import io.varve.txn.TransactionCoordinator.ProducerIdAndEpoch;
import io.varve.txn.TransactionCoordinator.ProducerIdFetched;
import io.varve.txn.TransactionCoordinator.ReleaseHeldAdds;
import io.varve.txn.TransactionCoordinator.RetryMarkers;
import io.varve.txn.TransactionCoordinator.VerifyPartitions;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.pid.ProducerIdManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The transaction coordinator entity of one transactional id: commands go to the {@link
 * TransactionStateMachine}, its transitions are persisted ({@link TransactionEvent}) and then
 * answered. In {@code PrepareCommit}/{@code PrepareAbort} it writes the markers ({@link
 * MarkerRound}) under a coordinator epoch persisted by this incarnation, retrying retriable
 * failures, and completes the transaction once all are written. It reports every change to the
 * node's {@link TransactionRegistry}, which pokes it at its next deadline (timeout, expiration).
 * A command that needs a fresh producer id waits for the node's producer-id manager; meanwhile
 * others are answered {@code CONCURRENT_TRANSACTIONS}, as Kafka answers during a pending
 * transition. Runs on the default dispatcher and never blocks; all state is confined to it.
 */
public final class TransactionEntity
        extends EventSourcedBehaviorWithEnforcedReplies<Command, TransactionEvent, TransactionRecord> {
    private static final int KEEP_SNAPSHOTS = 2;
    private static final Object RETRY_TIMER = "retry-markers";
    private static final Object HOLD_TIMER = "release-held-adds";
    private static final Object COMPLETE_TIMER = "complete-transaction";

    private final String transactionalId;
    private final CoordinatorServices services;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final TransactionStateMachine machine;
    private final MarkerRound markers = new MarkerRound();
    private final HeldAdds heldAdds = new HeldAdds();
    private boolean epochIncremented;
    /** The markers are written; the completion waits (completion-linger) for the next transaction's add. */
    private boolean completionDue;

    private Command awaitingProducerId;

    private TransactionEntity(
            String transactionalId,
            CoordinatorServices services,
            ActorContext<Command> context,
            TimerScheduler<Command> timers) {
        super(
                PersistenceId.of("txn", transactionalId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.transactionalId = transactionalId;
        this.services = services;
        this.context = context;
        this.timers = timers;
        this.machine = new TransactionStateMachine(
                services.settings().maxTimeout().toMillis(),
                services.settings().idExpiration().toMillis(),
                services.settings().transactionVersion());
    }

    public static Behavior<Command> create(String transactionalId, CoordinatorServices services) {
        return Behaviors.setup(context ->
                Behaviors.withTimers(timers -> new TransactionEntity(transactionalId, services, context, timers)));
    }

    @Override
    public TransactionRecord emptyState() {
        return TransactionRecord.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        // the journal keeps what the last snapshots need, as Kafka compacts __transaction_state
        return RetentionCriteria.snapshotEvery(services.settings().snapshotEvery(), KEEP_SNAPSHOTS)
                .withDeleteEventsOnSnapshot();
    }

    @Override
    public EventHandler<TransactionRecord, TransactionEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(TransactionRecord::apply);
    }

    @Override
    public SignalHandler<TransactionRecord> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, signal) -> onRecovered(state))
                .build();
    }

    private void onRecovered(TransactionRecord state) {
        report(state);
        if (state.metadata() != null && state.metadata().state().isPreparing()) {
            // the decision is made but markers may be missing: write them (again)
            context.getSelf().tell(new CheckDeadline());
        }
    }

    @Override
    public CommandHandlerWithReply<Command, TransactionEvent, TransactionRecord> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(
                        InitProducerId.class,
                        (state, command) -> onInitProducerId(state, command, OptionalLong.empty()))
                .onCommand(AddPartitions.class, this::onAddPartitions)
                .onCommand(VerifyPartitions.class, this::onVerifyPartitions)
                .onCommand(AddOffsets.class, this::onAddOffsets)
                .onCommand(EndTxn.class, (state, command) -> onEndTxn(state, command, OptionalLong.empty()))
                .onCommand(Describe.class, this::onDescribe)
                .onCommand(CheckDeadline.class, this::onCheckDeadline)
                .onCommand(ProducerIdFetched.class, this::onProducerIdFetched)
                .onCommand(MarkersWritten.class, this::onMarkersWritten)
                .onCommand(RetryMarkers.class, this::onRetryMarkers)
                .onCommand(ReleaseHeldAdds.class, this::onReleaseHeldAdds)
                .onCommand(CompleteTransaction.class, this::onCompleteTransaction)
                .build();
    }

    // ---- producer commands ----

    private ReplyEffect<TransactionEvent, TransactionRecord> onInitProducerId(
            TransactionRecord state, InitProducerId command, OptionalLong freshProducerId) {
        if (awaitingProducerId != null && freshProducerId.isEmpty()) {
            return Effect().reply(command.replyTo(), failedIds(Errors.CONCURRENT_TRANSACTIONS));
        }
        if (completionDue && freshProducerId.isEmpty()) {
            return completeThen(state, command);
        }
        Outcome outcome = machine.initProducerId(
                state.metadata(),
                transactionalId,
                command.txnTimeoutMs(),
                command.expectedProducerId(),
                command.expectedEpoch(),
                now(),
                freshProducerId);
        return decide(state, outcome, command, command.replyTo());
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onEndTxn(
            TransactionRecord state, EndTxn command, OptionalLong freshProducerId) {
        if (awaitingProducerId != null && freshProducerId.isEmpty()) {
            return Effect().reply(command.replyTo(), failedIds(Errors.CONCURRENT_TRANSACTIONS));
        }
        if (completionDue && freshProducerId.isEmpty()) {
            return completeThen(state, command);
        }
        Outcome outcome = machine.endTxn(
                state.metadata(),
                command.producerId(),
                command.producerEpoch(),
                command.commit(),
                command.transactionVersion(),
                now(),
                freshProducerId);
        return decide(state, outcome, command, command.replyTo());
    }

    /** Answers an InitProducerId or EndTxn outcome, persisting its transition first. */
    private ReplyEffect<TransactionEvent, TransactionRecord> decide(
            TransactionRecord state,
            Outcome outcome,
            Command command,
            org.apache.pekko.actor.typed.ActorRef<ProducerIdAndEpoch> replyTo) {
        if (outcome.needsProducerId()) {
            return fetchProducerId(command);
        }
        ProducerIdAndEpoch answer =
                new ProducerIdAndEpoch(outcome.error(), outcome.producerId(), outcome.producerEpoch());
        if (!outcome.changes()) {
            return Effect().reply(replyTo, answer);
        }
        return transit(state, outcome.next()).thenReply(replyTo, recorded -> answer);
    }

    /** Asks the node's producer-id manager; {@code pending} is handled again with the id. */
    private ReplyEffect<TransactionEvent, TransactionRecord> fetchProducerId(Command pending) {
        awaitingProducerId = pending;
        context.ask(
                ProducerIdManager.GeneratedProducerId.class,
                services.producerIds(),
                services.settings().requestTimeout(),
                ProducerIdManager.GenerateProducerId::new,
                (generated, failure) -> failure != null
                        ? new ProducerIdFetched(
                                pending, RecordBatch.NO_PRODUCER_ID, Errors.COORDINATOR_LOAD_IN_PROGRESS)
                        : new ProducerIdFetched(pending, generated.producerId(), generated.error()));
        // the pending command is answered when the id is here (onProducerIdFetched)
        return Effect().noReply();
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onProducerIdFetched(
            TransactionRecord state, ProducerIdFetched fetched) {
        awaitingProducerId = null;
        Command pending = fetched.pending();
        if (fetched.error() != Errors.NONE) {
            if (pending instanceof InitProducerId init) {
                return Effect().reply(init.replyTo(), failedIds(fetched.error()));
            }
            return Effect().reply(((EndTxn) pending).replyTo(), failedIds(fetched.error()));
        }
        OptionalLong producerId = OptionalLong.of(fetched.producerId());
        return pending instanceof InitProducerId init
                ? onInitProducerId(state, init, producerId)
                : onEndTxn(state, (EndTxn) pending, producerId);
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onAddPartitions(
            TransactionRecord state, AddPartitions command) {
        if (awaitingProducerId == null && waitsForMarkers(state.metadata(), command)) {
            long period = heldAdds.hold(command);
            if (completionDue) {
                completionDue = false;
                timers.cancel(COMPLETE_TIMER);
                return completeWithHeldAdds(machine.complete(state.metadata(), now()));
            }
            if (period >= 0) {
                timers.startSingleTimer(
                        HOLD_TIMER,
                        new ReleaseHeldAdds(period),
                        services.settings().addPartitionsRetryTimeout());
            }
            return Effect().noReply();
        }
        if (completionDue) {
            return completeThen(state, command);
        }
        Outcome outcome = awaitingProducerId != null
                ? Outcome.failed(Errors.CONCURRENT_TRANSACTIONS)
                : machine.add(
                        state.metadata(),
                        command.producerId(),
                        command.producerEpoch(),
                        Set.copyOf(command.partitions()),
                        Set.of(),
                        command.transactionVersion(),
                        now());
        PartitionErrors answer = new PartitionErrors(sameError(command.partitions(), outcome.error()));
        if (!outcome.changes()) {
            return Effect().reply(command.replyTo(), answer);
        }
        return transit(state, outcome.next()).thenReply(command.replyTo(), recorded -> answer);
    }

    /**
     * A partition leader's add (transaction version 2) for the producer epoch whose previous
     * transaction is still writing markers: held until it completes ({@link HeldAdds}).
     */
    private static boolean waitsForMarkers(TransactionMetadata metadata, AddPartitions command) {
        return command.transactionVersion() >= 2
                && metadata != null
                && metadata.state().isPreparing()
                && metadata.producerId() == command.producerId()
                && metadata.producerEpoch() == command.producerEpoch();
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onReleaseHeldAdds(
            TransactionRecord state, ReleaseHeldAdds release) {
        answerHeld(heldAdds.releaseIfCurrent(release.since()));
        return Effect().noReply();
    }

    /** Answers held adds CONCURRENT_TRANSACTIONS: the leader asks again, as Kafka's would. */
    private static void answerHeld(List<AddPartitions> adds) {
        adds.forEach(add ->
                add.replyTo().tell(new PartitionErrors(sameError(add.partitions(), Errors.CONCURRENT_TRANSACTIONS))));
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onVerifyPartitions(
            TransactionRecord state, VerifyPartitions command) {
        Map<TopicPartition, Errors> errors = awaitingProducerId != null
                ? sameError(command.partitions(), Errors.CONCURRENT_TRANSACTIONS)
                : machine.verify(
                        state.metadata(),
                        command.producerId(),
                        command.producerEpoch(),
                        Set.copyOf(command.partitions()));
        return Effect().reply(command.replyTo(), new PartitionErrors(Map.copyOf(errors)));
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onAddOffsets(TransactionRecord state, AddOffsets command) {
        if (awaitingProducerId != null) {
            return Effect().reply(command.replyTo(), new ErrorResult(Errors.CONCURRENT_TRANSACTIONS));
        }
        if (completionDue) {
            return completeThen(state, command);
        }
        if (command.verifyOnly()) {
            Errors error = machine.verifyGroup(
                    state.metadata(), command.producerId(), command.producerEpoch(), command.groupId());
            return Effect().reply(command.replyTo(), new ErrorResult(error));
        }
        Outcome outcome = machine.add(
                state.metadata(),
                command.producerId(),
                command.producerEpoch(),
                Set.of(),
                Set.of(command.groupId()),
                command.transactionVersion(),
                now());
        ErrorResult answer = new ErrorResult(outcome.error());
        if (!outcome.changes()) {
            return Effect().reply(command.replyTo(), answer);
        }
        return transit(state, outcome.next()).thenReply(command.replyTo(), recorded -> answer);
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onDescribe(TransactionRecord state, Describe command) {
        return Effect().reply(command.replyTo(), TransactionDescriptions.of(state.metadata()));
    }

    // ---- deadlines and markers ----

    /** The registry's poke: time out, expire, or resume writing markers. */
    private ReplyEffect<TransactionEvent, TransactionRecord> onCheckDeadline(
            TransactionRecord state, CheckDeadline check) {
        TransactionMetadata metadata = state.metadata();
        long now = now();
        if (metadata == null || awaitingProducerId != null) {
            report(state);
            return Effect().noReply();
        }
        if (metadata.state().isPreparing()) {
            return markers.isActive() || completionDue ? Effect().noReply() : resumeMarkers(state);
        }
        if (TransactionStateMachine.isTimedOut(metadata, now)) {
            context.getLog()
                    .info(
                            "aborting the transaction of {} (producer {} epoch {}): open since {} for more than its timeout {} ms",
                            transactionalId,
                            metadata.producerId(),
                            metadata.producerEpoch(),
                            metadata.txnStartTimestamp(),
                            metadata.txnTimeoutMs());
            return transit(state, machine.fenceAndAbort(metadata, now)).thenNoReply();
        }
        if (machine.isExpired(metadata, now)) {
            context.getLog()
                    .info(
                            "transactional id {} expired: idle since {}",
                            transactionalId,
                            metadata.txnLastUpdateTimestamp());
            return Effect()
                    .persist(new TransactionEvent.TransactionalIdExpired(now))
                    .thenRun(this::report)
                    .thenNoReply();
        }
        report(state);
        return Effect().noReply();
    }

    /**
     * Persists {@code next} (with this incarnation's coordinator epoch first, before its first
     * markers), then reports it and starts the markers of a decision.
     */
    private EffectBuilder<TransactionEvent, TransactionRecord> transit(
            TransactionRecord state, TransactionMetadata next) {
        List<TransactionEvent> events = new ArrayList<>();
        if (next.state().isPreparing() && !epochIncremented) {
            events.add(new TransactionEvent.CoordinatorEpochIncremented(state.coordinatorEpoch() + 1));
            epochIncremented = true;
        }
        events.add(new TransactionEvent.TransactionRecorded(next));
        return Effect().persist(events).thenRun(this::afterTransition);
    }

    private void afterTransition(TransactionRecord state) {
        report(state);
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

    private ReplyEffect<TransactionEvent, TransactionRecord> resumeMarkers(TransactionRecord state) {
        if (epochIncremented) {
            return Effect().none().thenRun(this::afterTransition).thenNoReply();
        }
        epochIncremented = true;
        return Effect()
                .persist(new TransactionEvent.CoordinatorEpochIncremented(state.coordinatorEpoch() + 1))
                .thenRun(this::afterTransition)
                .thenNoReply();
    }

    /** Sends the markers still owed, in parallel; the answers come back as {@link MarkersWritten}. */
    private void sendMarkers(TransactionRecord state) {
        context.pipeToSelf(MarkerDispatch.send(services, state, markers), (written, failure) -> written);
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onMarkersWritten(
            TransactionRecord state, MarkersWritten written) {
        TransactionMetadata metadata = state.metadata();
        if (!markers.isCurrent(written.round())
                || metadata == null
                || !metadata.state().isPreparing()) {
            return Effect().noReply();
        }
        MarkerOutcomes.Verdict verdict = MarkerOutcomes.apply(written, markers, transactionalId, context.getLog());
        if (verdict == MarkerOutcomes.Verdict.FENCED) {
            markers.clear();
            answerHeld(heldAdds.release());
            return Effect().stop().thenNoReply();
        }
        if (markers.isDone()) {
            markers.clear();
            TransactionMetadata completed = machine.complete(metadata, now());
            if (!heldAdds.isEmpty()) {
                return completeWithHeldAdds(completed);
            }
            Duration linger = services.settings().completionLinger();
            if (metadata.clientTransactionVersion() >= 2 && !linger.isZero()) {
                completionDue = true;
                timers.startSingleTimer(COMPLETE_TIMER, new CompleteTransaction(), linger);
                return Effect().noReply();
            }
            return transit(state, completed).thenNoReply();
        }
        timers.startSingleTimer(
                RETRY_TIMER,
                new RetryMarkers(written.round()),
                services.settings().markerRetryBackoff());
        return Effect().noReply();
    }

    /**
     * A producer request while the completion lingers: the completion is persisted first, then
     * {@code command} is handled as if it had come after it.
     */
    private ReplyEffect<TransactionEvent, TransactionRecord> completeThen(TransactionRecord state, Command command) {
        completionDue = false;
        timers.cancel(COMPLETE_TIMER);
        return transit(state, machine.complete(state.metadata(), now()))
                .thenRun(recorded -> context.getSelf().tell(command))
                .thenNoReply();
    }

    /** The completion linger passed without an add of the next transaction: persist it alone. */
    private ReplyEffect<TransactionEvent, TransactionRecord> onCompleteTransaction(
            TransactionRecord state, CompleteTransaction complete) {
        if (!completionDue) {
            return Effect().noReply();
        }
        completionDue = false;
        return transit(state, machine.complete(state.metadata(), now())).thenNoReply();
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
                    now());
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
        return Effect()
                .persist(events)
                .thenRun(this::afterTransition)
                .thenRun(recorded -> {
                    for (int i = 0; i < adds.size(); i++) {
                        adds.get(i).replyTo().tell(new PartitionErrors(answers.get(i)));
                    }
                })
                .thenNoReply();
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onRetryMarkers(
            TransactionRecord state, RetryMarkers retry) {
        if (!markers.isCurrent(retry.round())) {
            return Effect().noReply();
        }
        return Effect().none().thenRun(this::sendMarkers).thenNoReply();
    }

    // ---- helpers ----

    private void report(TransactionRecord state) {
        services.registry()
                .tell(new TransactionRegistry.Track(
                        transactionalId,
                        TransactionDescriptions.listing(transactionalId, state.metadata()),
                        machine.nextDeadlineMs(state.metadata())));
    }

    private long now() {
        return services.clock().getAsLong();
    }

    private static ProducerIdAndEpoch failedIds(Errors error) {
        return new ProducerIdAndEpoch(error, RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH);
    }

    private static Map<TopicPartition, Errors> sameError(List<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        partitions.forEach(tp -> errors.put(tp, error));
        return Map.copyOf(errors);
    }
}
