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
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The transaction coordinator entity of one transactional id: commands go to the {@link
 * TransactionStateMachine}, its transitions are persisted ({@link TransactionEvent}) and then
 * answered. Its {@link TransactionEnding} persists the transitions and, in {@code
 * PrepareCommit}/{@code PrepareAbort}, writes the markers under a coordinator epoch persisted by this
 * incarnation, retrying retriable failures, and completes the transaction once all are written
 * (holding partition leaders' adds for the next one meanwhile). It reports every change to the
 * node's {@link TransactionRegistry}, which pokes it at its next deadline (timeout, expiration).
 * A command that needs a fresh producer id waits for the node's producer-id manager; meanwhile
 * others are answered {@code CONCURRENT_TRANSACTIONS}, as Kafka answers during a pending
 * transition. Runs on the default dispatcher and never blocks; all state is confined to it.
 */
public final class TransactionEntity
        extends EventSourcedBehaviorWithEnforcedReplies<Command, TransactionEvent, TransactionRecord> {
    private static final int KEEP_SNAPSHOTS = 2;

    private final String transactionalId;
    private final CoordinatorServices services;
    private final ActorContext<Command> context;
    private final TransactionStateMachine machine;
    private final TransactionEnding ending;

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
        this.machine = new TransactionStateMachine(
                services.settings().maxTimeout().toMillis(),
                services.settings().idExpiration().toMillis(),
                services.settings().transactionVersion());
        this.ending =
                new TransactionEnding(transactionalId, services, context, timers, machine, Effect(), this::report);
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
                .onCommand(MarkersWritten.class, ending::onMarkersWritten)
                .onCommand(RetryMarkers.class, ending::onRetryMarkers)
                .onCommand(ReleaseHeldAdds.class, (state, release) -> ending.onReleaseHeldAdds(release))
                .onCommand(CompleteTransaction.class, ending::onCompleteTransaction)
                .build();
    }

    // ---- producer commands ----

    private ReplyEffect<TransactionEvent, TransactionRecord> onInitProducerId(
            TransactionRecord state, InitProducerId command, OptionalLong freshProducerId) {
        if (awaitingProducerId != null && freshProducerId.isEmpty()) {
            return Effect().reply(command.replyTo(), failedIds(Errors.CONCURRENT_TRANSACTIONS));
        }
        if (ending.isCompletionDue() && freshProducerId.isEmpty()) {
            return ending.completeThen(state, command);
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
        if (ending.isCompletionDue() && freshProducerId.isEmpty()) {
            return ending.completeThen(state, command);
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
        return ending.transit(state, outcome.next()).thenReply(replyTo, recorded -> answer);
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
        if (awaitingProducerId == null && TransactionEnding.waitsForMarkers(state.metadata(), command)) {
            return ending.hold(state, command);
        }
        if (ending.isCompletionDue()) {
            return ending.completeThen(state, command);
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
        PartitionErrors answer =
                new PartitionErrors(TransactionEnding.sameError(command.partitions(), outcome.error()));
        if (!outcome.changes()) {
            return Effect().reply(command.replyTo(), answer);
        }
        return ending.transit(state, outcome.next()).thenReply(command.replyTo(), recorded -> answer);
    }

    private ReplyEffect<TransactionEvent, TransactionRecord> onVerifyPartitions(
            TransactionRecord state, VerifyPartitions command) {
        Map<TopicPartition, Errors> errors = awaitingProducerId != null
                ? TransactionEnding.sameError(command.partitions(), Errors.CONCURRENT_TRANSACTIONS)
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
        if (ending.isCompletionDue()) {
            return ending.completeThen(state, command);
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
        return ending.transit(state, outcome.next()).thenReply(command.replyTo(), recorded -> answer);
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
            return ending.isEnding() ? Effect().noReply() : ending.resumeMarkers(state);
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
            return ending.transit(state, machine.fenceAndAbort(metadata, now)).thenNoReply();
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
}
