package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator.Command;
import io.varve.group.GroupCoordinator.CommitOffsets;
import io.varve.group.GroupCoordinator.CommitTxnOffsets;
import io.varve.group.GroupCoordinator.CompleteTxnOffsets;
import io.varve.group.GroupCoordinator.DeadlineReached;
import io.varve.group.GroupCoordinator.DeleteGroup;
import io.varve.group.GroupCoordinator.DeleteOffsets;
import io.varve.group.GroupCoordinator.DescribeGroup;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.GroupCoordinator.FetchOffsets;
import io.varve.group.GroupCoordinator.FlushCommits;
import io.varve.group.GroupCoordinator.Heartbeat;
import io.varve.group.GroupCoordinator.JoinGroup;
import io.varve.group.GroupCoordinator.LeaveGroup;
import io.varve.group.GroupCoordinator.OffsetsResult;
import io.varve.group.GroupCoordinator.SyncGroup;
import io.varve.group.GroupSettings;
import io.varve.group.classic.ClassicGroup;
import io.varve.group.classic.GroupDescription;
import io.varve.group.classic.GroupLimits;
import io.varve.group.classic.LeaveResult;
import io.varve.group.classic.Outcome;
import io.varve.metadata.MetadataCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
 * The group coordinator entity: a thin adapter from commands to the group's {@link ClassicGroup}
 * (membership, rebalances, deadlines; in memory only) and to its persisted {@link GroupRecord}
 * (stable generation and committed offsets). Valid offset commits are gathered in
 * {@link PendingCommits} and persisted together by the next {@code FlushCommits} the entity sends
 * itself, or by any other command first. Before each command the entity applies {@link
 * OffsetCleanup} (deleted topics, retention) against the node's metadata image, and handles the
 * command on the cleaned state; the flushed commits and the cleanup's events are persisted with the
 * command's. Answers are sent after the events they depend on are persisted. One timer fires at the
 * group's next deadline. All state is confined to this actor.
 *
 * <p>Replies are reply effects ({@link #settle(List, ActorRef, Object)}: the command's {@code replyTo}
 * and its answer), so a command handler that forgets to answer does not compile. The only handlers
 * without one are those whose answer comes later, and they say so ({@link #answeredLater}):
 * JoinGroup and SyncGroup (answered by the group when the rebalance completes), an accepted
 * OffsetCommit (answered when the flush persists it) and the entity's own messages.
 */
public final class GroupEntity extends EventSourcedBehaviorWithEnforcedReplies<Command, GroupEvent, GroupRecord> {
    private static final int KEEP_SNAPSHOTS = 2;
    private static final String DEADLINE_TIMER = "deadline";

    private final GroupSettings settings;
    private final MetadataCache metadata;
    private final TimerScheduler<Command> timers;
    private final ActorRef<Command> self;
    private final LongSupplier clock;
    private final PendingCommits pendingCommits = new PendingCommits();
    private ClassicGroup group;
    private boolean flushRequested;
    private List<GroupEvent> preceding = List.of();
    private List<Runnable> precedingReplies = List.of();

    private GroupEntity(
            String groupId,
            GroupSettings settings,
            MetadataCache metadata,
            LongSupplier clock,
            ActorRef<Command> self,
            TimerScheduler<Command> timers) {
        super(
                PersistenceId.of(GroupIds.PERSISTENCE_TYPE, GroupIds.persistenceKey(groupId)),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.settings = settings;
        this.metadata = metadata;
        this.clock = clock;
        this.timers = timers;
        this.self = self;
        this.group = newGroup();
    }

    /** @param metadata the node's metadata: offsets of topics no longer in it are removed */
    public static Behavior<Command> create(String groupId, GroupSettings settings, MetadataCache metadata) {
        return create(groupId, settings, metadata, System::currentTimeMillis);
    }

    /** With the clock deadlines, commit times and retention are measured on (tests inject one). */
    static Behavior<Command> create(
            String groupId, GroupSettings settings, MetadataCache metadata, LongSupplier clock) {
        return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new GroupEntity(groupId, settings, metadata, clock, context.getSelf(), timers)));
    }

    private ClassicGroup newGroup() {
        return new ClassicGroup(GroupLimits.of(settings), clock);
    }

    @Override
    public GroupRecord emptyState() {
        return GroupRecord.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), KEEP_SNAPSHOTS);
    }

    @Override
    public EventHandler<GroupRecord, GroupEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(GroupRecord::apply);
    }

    @Override
    public SignalHandler<GroupRecord> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, signal) -> onRecoveryCompleted(state))
                .build();
    }

    private void onRecoveryCompleted(GroupRecord state) {
        group = newGroup();
        group.restore(state.metadata());
        scheduleDeadline();
    }

    @Override
    public CommandHandlerWithReply<Command, GroupEvent, GroupRecord> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(JoinGroup.class, prepared(this::onJoinGroup))
                .onCommand(SyncGroup.class, prepared(this::onSyncGroup))
                .onCommand(Heartbeat.class, prepared(this::onHeartbeat))
                .onCommand(LeaveGroup.class, prepared(this::onLeaveGroup))
                .onCommand(CommitOffsets.class, this::onCommitOffsets)
                .onCommand(FlushCommits.class, prepared(this::onFlushCommits))
                .onCommand(FetchOffsets.class, prepared(this::onFetchOffsets))
                .onCommand(CommitTxnOffsets.class, prepared(this::onCommitTxnOffsets))
                .onCommand(CompleteTxnOffsets.class, prepared(this::onCompleteTxnOffsets))
                .onCommand(
                        DeleteOffsets.class, prepared((state, command) -> OffsetDeletion.handle(this, state, command)))
                .onCommand(DescribeGroup.class, prepared(this::onDescribeGroup))
                .onCommand(DeleteGroup.class, prepared(this::onDeleteGroup))
                .onCommand(DeadlineReached.class, prepared(this::onDeadlineReached))
                .build();
    }

    /** {@code handler} run after the pending commits are flushed, on the state they produce. */
    private <C extends Command> BiFunction<GroupRecord, C, ReplyEffect<GroupEvent, GroupRecord>> prepared(
            BiFunction<GroupRecord, C, ReplyEffect<GroupEvent, GroupRecord>> handler) {
        return (state, command) -> {
            List<GroupEvent> before = new ArrayList<>();
            GroupRecord current = state;
            if (!pendingCommits.isEmpty()) {
                PendingCommits.Flush flush = pendingCommits.drain();
                before.add(flush.event());
                current = current.apply(flush.event());
                precedingReplies = flush.replies();
            }
            return cleanedUp(current, command, before, handler);
        };
    }

    /**
     * {@code handler} run on the state after {@link OffsetCleanup}; the cleanup's events (after
     * {@code before}) are kept for {@link #settle} to persist first. A group the cleanup deletes
     * starts again from scratch.
     */
    private <C extends Command> ReplyEffect<GroupEvent, GroupRecord> cleanedUp(
            GroupRecord state,
            C command,
            List<GroupEvent> before,
            BiFunction<GroupRecord, C, ReplyEffect<GroupEvent, GroupRecord>> handler) {
        expireWhatIsDue();
        GroupRecord cleaned = state;
        for (GroupEvent event : OffsetCleanup.events(
                state,
                group,
                metadata.image(),
                clock.getAsLong(),
                settings.offsetsRetention().toMillis())) {
            before.add(event);
            cleaned = cleaned.apply(event);
            if (event instanceof GroupEvent.GroupDeleted) {
                group = newGroup();
            }
        }
        preceding = before;
        return handler.apply(cleaned, command);
    }

    /** The commits flushed by {@link #prepared} are persisted with this command; each is answered then. */
    private ReplyEffect<GroupEvent, GroupRecord> onFlushCommits(GroupRecord state, FlushCommits command) {
        flushRequested = false;
        return answeredLater();
    }

    /** Answered by the group: at once when refused, else when the rebalance completes. */
    private ReplyEffect<GroupEvent, GroupRecord> onJoinGroup(GroupRecord state, JoinGroup command) {
        group.join(command.request(), command.replyTo()::tell);
        return answeredLater();
    }

    /** Answered by the group: at once when refused, else when the leader's assignment is stored. */
    private ReplyEffect<GroupEvent, GroupRecord> onSyncGroup(GroupRecord state, SyncGroup command) {
        group.sync(command.request(), command.replyTo()::tell);
        return answeredLater();
    }

    private ReplyEffect<GroupEvent, GroupRecord> onHeartbeat(GroupRecord state, Heartbeat command) {
        Errors error = group.heartbeat(command.memberId(), command.groupInstanceId(), command.generationId());
        return settle(List.of(), command.replyTo(), new ErrorResult(error));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onLeaveGroup(GroupRecord state, LeaveGroup command) {
        LeaveResult result = group.leave(command.members());
        return settle(List.of(), command.replyTo(), result);
    }

    /** Validates the commit and adds it to the pending commits; answered when they are persisted. */
    private ReplyEffect<GroupEvent, GroupRecord> onCommitOffsets(GroupRecord unprepared, CommitOffsets command) {
        return cleanedUp(unprepared, command, new ArrayList<>(), this::acceptCommit);
    }

    private ReplyEffect<GroupEvent, GroupRecord> acceptCommit(GroupRecord state, CommitOffsets command) {
        Errors error;
        if (!state.exists() && !group.hasMembers() && command.generationId() >= 0) {
            // the handler answers ILLEGAL_GENERATION to OffsetCommit before v9 (as Kafka does)
            error = Errors.GROUP_ID_NOT_FOUND;
        } else {
            error = group.validateOffsetCommit(command.memberId(), command.groupInstanceId(), command.generationId());
        }
        if (error != Errors.NONE) {
            return settle(List.of(), command.replyTo(), new ErrorResult(error));
        }
        long now = clock.getAsLong();
        Map<TopicPartition, CommittedOffset> stamped = new HashMap<>();
        command.offsets().forEach((partition, offset) -> stamped.put(partition, offset.committedAt(now)));
        pendingCommits.add(stamped, () -> command.replyTo().tell(new ErrorResult(Errors.NONE)));
        if (!flushRequested) {
            flushRequested = true;
            self.tell(new FlushCommits());
        }
        return answeredLater();
    }

    private ReplyEffect<GroupEvent, GroupRecord> onFetchOffsets(GroupRecord state, FetchOffsets command) {
        Map<TopicPartition, CommittedOffset> offsets;
        if (command.all()) {
            offsets = state.offsets();
        } else {
            offsets = new HashMap<>();
            for (TopicPartition partition : command.partitions()) {
                CommittedOffset committed = state.offsets().get(partition);
                if (committed != null) {
                    offsets.put(partition, committed);
                }
            }
        }
        Set<TopicPartition> unstable = command.requireStable()
                ? TxnOffsetCommits.unstable(state, command.all(), command.partitions())
                : Set.of();
        return settle(List.of(), command.replyTo(), new OffsetsResult(Errors.NONE, Map.copyOf(offsets), unstable));
    }

    /** TxnOffsetCommit: the offsets are staged for the producer's transaction ({@link TxnOffsetCommits}). */
    private ReplyEffect<GroupEvent, GroupRecord> onCommitTxnOffsets(GroupRecord state, CommitTxnOffsets command) {
        Errors error = TxnOffsetCommits.validate(state, group, command);
        if (error != Errors.NONE) {
            return settle(List.of(), command.replyTo(), new ErrorResult(error));
        }
        GroupEvent staged = TxnOffsetCommits.staged(command, clock.getAsLong());
        return settle(List.of(staged), command.replyTo(), new ErrorResult(Errors.NONE));
    }

    /** The transaction coordinator's marker: the producer's staged offsets are committed or dropped. */
    private ReplyEffect<GroupEvent, GroupRecord> onCompleteTxnOffsets(GroupRecord state, CompleteTxnOffsets command) {
        return settle(TxnOffsetCommits.completed(state, command), command.replyTo(), new ErrorResult(Errors.NONE));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onDescribeGroup(GroupRecord state, DescribeGroup command) {
        GroupDescription description = group.describe(state.exists() || group.hasMembers());
        return settle(List.of(), command.replyTo(), description);
    }

    private ReplyEffect<GroupEvent, GroupRecord> onDeleteGroup(GroupRecord state, DeleteGroup command) {
        if (group.hasMembers()) {
            return settle(List.of(), command.replyTo(), new ErrorResult(Errors.NON_EMPTY_GROUP));
        }
        if (!state.exists()) {
            return settle(List.of(), command.replyTo(), new ErrorResult(Errors.GROUP_ID_NOT_FOUND));
        }
        int generation = group.generationId();
        group.drain().sendReplies();
        group = newGroup();
        return settle(
                List.of(new GroupEvent.GroupDeleted(generation)), command.replyTo(), new ErrorResult(Errors.NONE));
    }

    /** The entity's own timer: what the deadline changes answers members through the group. */
    private ReplyEffect<GroupEvent, GroupRecord> onDeadlineReached(GroupRecord state, DeadlineReached command) {
        group.onDeadline();
        return answeredLater();
    }

    /**
     * Expires the members, join and sync phases whose deadline has passed before any command sees the
     * group. The deadline timer does the same, but Pekko's scheduler fires up to a tick (10 ms) late,
     * and a request arriving in between (a DeleteGroups just after a session timeout, a heartbeat of
     * an expired member) must find the group as Kafka's millisecond timer leaves it.
     */
    private void expireWhatIsDue() {
        if (group.hasDeadline() && group.nextDeadlineMs() <= clock.getAsLong()) {
            group.onDeadline();
        }
    }

    ClassicGroup group() {
        return group;
    }

    /**
     * Persists the flushed commits and the cleanup done before this command, the group metadata the
     * last call produced and {@code events}, then sends the flushed commits' answers and the group's
     * queued answers, and answers the command: {@code reply} to {@code replyTo} (a reply effect).
     */
    <R> ReplyEffect<GroupEvent, GroupRecord> settle(List<GroupEvent> events, ActorRef<R> replyTo, R reply) {
        return persistAndSendQueued(events).thenReply(replyTo, state -> reply);
    }

    /**
     * As {@link #settle(List, ActorRef, Object)}, without events of its own, for a command answered later, by the group
     * or by a later flush, or that has nobody to answer (the entity's own messages).
     */
    ReplyEffect<GroupEvent, GroupRecord> answeredLater() {
        return persistAndSendQueued(List.of()).thenNoReply();
    }

    /** Persists what this command settles (nothing, if nothing changed) and then sends the queued answers. */
    private EffectBuilder<GroupEvent, GroupRecord> persistAndSendQueued(List<GroupEvent> events) {
        Outcome outcome = group.drain();
        List<GroupEvent> toPersist = new ArrayList<>(preceding);
        List<Runnable> flushedReplies = precedingReplies;
        preceding = List.of();
        precedingReplies = List.of();
        if (outcome.hasMetadataToStore()) {
            toPersist.add(new GroupEvent.GroupMetadataStored(outcome.toStore(), clock.getAsLong()));
        }
        toPersist.addAll(events);
        scheduleDeadline();
        EffectBuilder<GroupEvent, GroupRecord> persisted =
                toPersist.isEmpty() ? Effect().none() : Effect().persist(toPersist);
        return persisted.thenRun(state -> {
            flushedReplies.forEach(Runnable::run);
            outcome.sendReplies();
        });
    }

    private void scheduleDeadline() {
        if (group.hasDeadline()) {
            long delayMs = Math.max(0, group.nextDeadlineMs() - clock.getAsLong());
            timers.startSingleTimer(DEADLINE_TIMER, new DeadlineReached(), Duration.ofMillis(delayMs));
        } else {
            timers.cancel(DEADLINE_TIMER);
        }
    }
}
