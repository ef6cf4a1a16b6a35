package io.varve.group.internal;

import io.varve.group.CommittedOffset;
import io.varve.group.GroupCoordinator.Command;
import io.varve.group.GroupCoordinator.CommitOffsets;
import io.varve.group.GroupCoordinator.DeadlineReached;
import io.varve.group.GroupCoordinator.DeleteGroup;
import io.varve.group.GroupCoordinator.DeleteOffsets;
import io.varve.group.GroupCoordinator.DescribeGroup;
import io.varve.group.GroupCoordinator.ErrorResult;
import io.varve.group.GroupCoordinator.FetchOffsets;
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
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
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
 * The group coordinator entity: a thin adapter from commands to the group's {@link ClassicGroup}
 * (membership, rebalances, deadlines; in memory only) and to its persisted {@link GroupRecord}
 * (stable generation and committed offsets). Before each command it applies {@link OffsetCleanup}
 * (deleted topics, retention) against the node's metadata image, and handles the command on the
 * cleaned state; the cleanup's events are persisted with the command's. Answers are sent after the
 * events they depend on are persisted. One timer fires at the group's next deadline. All state is
 * confined to this actor.
 */
public final class GroupEntity extends EventSourcedBehaviorWithEnforcedReplies<Command, GroupEvent, GroupRecord> {
    private static final int KEEP_SNAPSHOTS = 2;
    private static final String DEADLINE_TIMER = "deadline";

    private final GroupSettings settings;
    private final MetadataCache metadata;
    private final TimerScheduler<Command> timers;
    private final LongSupplier clock;
    private ClassicGroup group;
    private List<GroupEvent> cleanup = List.of();

    private GroupEntity(
            String groupId,
            GroupSettings settings,
            MetadataCache metadata,
            LongSupplier clock,
            TimerScheduler<Command> timers) {
        super(
                PersistenceId.of("group", groupId),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.settings = settings;
        this.metadata = metadata;
        this.clock = clock;
        this.timers = timers;
        this.group = newGroup();
    }

    /** @param metadata the node's metadata: offsets of topics no longer in it are removed */
    public static Behavior<Command> create(String groupId, GroupSettings settings, MetadataCache metadata) {
        return create(groupId, settings, metadata, System::currentTimeMillis);
    }

    /** With the clock deadlines, commit times and retention are measured on (tests inject one). */
    static Behavior<Command> create(
            String groupId, GroupSettings settings, MetadataCache metadata, LongSupplier clock) {
        return Behaviors.withTimers(timers -> new GroupEntity(groupId, settings, metadata, clock, timers));
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
                .onCommand(JoinGroup.class, cleanedUp(this::onJoinGroup))
                .onCommand(SyncGroup.class, cleanedUp(this::onSyncGroup))
                .onCommand(Heartbeat.class, cleanedUp(this::onHeartbeat))
                .onCommand(LeaveGroup.class, cleanedUp(this::onLeaveGroup))
                .onCommand(CommitOffsets.class, cleanedUp(this::onCommitOffsets))
                .onCommand(FetchOffsets.class, cleanedUp(this::onFetchOffsets))
                .onCommand(
                        DeleteOffsets.class, cleanedUp((state, command) -> OffsetDeletion.handle(this, state, command)))
                .onCommand(DescribeGroup.class, cleanedUp(this::onDescribeGroup))
                .onCommand(DeleteGroup.class, cleanedUp(this::onDeleteGroup))
                .onCommand(DeadlineReached.class, cleanedUp(this::onDeadlineReached))
                .build();
    }

    /**
     * {@code handler} run on the state after {@link OffsetCleanup}; the cleanup's events are kept for
     * {@link #settle} to persist first. A group the cleanup deletes starts again from scratch.
     */
    private <C extends Command> BiFunction<GroupRecord, C, ReplyEffect<GroupEvent, GroupRecord>> cleanedUp(
            BiFunction<GroupRecord, C, ReplyEffect<GroupEvent, GroupRecord>> handler) {
        return (state, command) -> {
            cleanup = OffsetCleanup.events(
                    state,
                    group,
                    metadata.image(),
                    clock.getAsLong(),
                    settings.offsetsRetention().toMillis());
            GroupRecord cleaned = state;
            for (GroupEvent event : cleanup) {
                cleaned = cleaned.apply(event);
                if (event instanceof GroupEvent.GroupDeleted) {
                    group = newGroup();
                }
            }
            return handler.apply(cleaned, command);
        };
    }

    private ReplyEffect<GroupEvent, GroupRecord> onJoinGroup(GroupRecord state, JoinGroup command) {
        group.join(command.request(), command.replyTo()::tell);
        return settle(List.of(), () -> {});
    }

    private ReplyEffect<GroupEvent, GroupRecord> onSyncGroup(GroupRecord state, SyncGroup command) {
        group.sync(command.request(), command.replyTo()::tell);
        return settle(List.of(), () -> {});
    }

    private ReplyEffect<GroupEvent, GroupRecord> onHeartbeat(GroupRecord state, Heartbeat command) {
        Errors error = group.heartbeat(command.memberId(), command.groupInstanceId(), command.generationId());
        return settle(List.of(), () -> command.replyTo().tell(new ErrorResult(error)));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onLeaveGroup(GroupRecord state, LeaveGroup command) {
        LeaveResult result = group.leave(command.members());
        return settle(List.of(), () -> command.replyTo().tell(result));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onCommitOffsets(GroupRecord state, CommitOffsets command) {
        Errors error;
        if (!state.exists() && !group.hasMembers() && command.generationId() >= 0) {
            // the handler answers ILLEGAL_GENERATION to OffsetCommit before v9 (as Kafka does)
            error = Errors.GROUP_ID_NOT_FOUND;
        } else {
            error = group.validateOffsetCommit(command.memberId(), command.groupInstanceId(), command.generationId());
        }
        if (error != Errors.NONE) {
            return settle(List.of(), () -> command.replyTo().tell(new ErrorResult(error)));
        }
        long now = clock.getAsLong();
        Map<TopicPartition, CommittedOffset> stamped = new HashMap<>();
        command.offsets().forEach((partition, offset) -> stamped.put(partition, offset.committedAt(now)));
        return settle(List.of(new GroupEvent.OffsetsCommitted(Map.copyOf(stamped))), () -> command.replyTo()
                .tell(new ErrorResult(Errors.NONE)));
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
        OffsetsResult result = new OffsetsResult(Errors.NONE, Map.copyOf(offsets));
        return settle(List.of(), () -> command.replyTo().tell(result));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onDescribeGroup(GroupRecord state, DescribeGroup command) {
        GroupDescription description = group.describe(state.exists() || group.hasMembers());
        return settle(List.of(), () -> command.replyTo().tell(description));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onDeleteGroup(GroupRecord state, DeleteGroup command) {
        if (group.hasMembers()) {
            return settle(List.of(), () -> command.replyTo().tell(new ErrorResult(Errors.NON_EMPTY_GROUP)));
        }
        if (!state.exists()) {
            return settle(List.of(), () -> command.replyTo().tell(new ErrorResult(Errors.GROUP_ID_NOT_FOUND)));
        }
        int generation = group.generationId();
        group.drain().sendReplies();
        group = newGroup();
        return settle(List.of(new GroupEvent.GroupDeleted(generation)), () -> command.replyTo()
                .tell(new ErrorResult(Errors.NONE)));
    }

    private ReplyEffect<GroupEvent, GroupRecord> onDeadlineReached(GroupRecord state, DeadlineReached command) {
        group.onDeadline();
        return settle(List.of(), () -> {});
    }

    ClassicGroup group() {
        return group;
    }

    /**
     * Persists the cleanup done before this command, the group metadata the last call produced and
     * {@code events}, then sends the group's queued answers and {@code reply}; reschedules the
     * deadline timer.
     */
    ReplyEffect<GroupEvent, GroupRecord> settle(List<GroupEvent> events, Runnable reply) {
        Outcome outcome = group.drain();
        List<GroupEvent> toPersist = new ArrayList<>(cleanup);
        cleanup = List.of();
        if (outcome.hasMetadataToStore()) {
            toPersist.add(new GroupEvent.GroupMetadataStored(outcome.toStore(), clock.getAsLong()));
        }
        toPersist.addAll(events);
        scheduleDeadline();
        Runnable sendAll = () -> {
            outcome.sendReplies();
            reply.run();
        };
        if (toPersist.isEmpty()) {
            sendAll.run();
            return Effect().noReply();
        }
        return Effect().persist(toPersist).thenRun(state -> sendAll.run()).thenNoReply();
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
