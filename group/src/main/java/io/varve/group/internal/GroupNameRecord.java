package io.varve.group.internal;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.VarveSerializable;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The name of a group whose id is too long for its persistence id ({@link GroupIds}): one event,
 * {@code group-name|<hash>}, holding the full group id, so ListGroups can name the group. Spawned by
 * the group's entity when it starts, as a child; it records the name if its journal has none yet and
 * stops. Confined to itself.
 */
public final class GroupNameRecord
        extends EventSourcedBehavior<GroupNameRecord.Command, GroupNameRecord.NameRecorded, String> {

    /** Sent to itself after recovery when no name is recorded yet. */
    public sealed interface Command extends LocalOnly {}

    private record RecordName() implements Command {}

    /** The one event: the group's full id. */
    public record NameRecorded(String groupId) implements VarveSerializable {}

    private final String groupId;
    private final ActorContext<Command> context;

    private GroupNameRecord(String groupId, ActorContext<Command> context) {
        super(PersistenceId.of(GroupIds.NAME_TYPE, GroupIds.nameKey(groupId)));
        this.groupId = groupId;
        this.context = context;
    }

    public static Behavior<Command> create(String groupId) {
        return Behaviors.setup(context -> new GroupNameRecord(groupId, context));
    }

    @Override
    public String emptyState() {
        return "";
    }

    @Override
    public CommandHandler<Command, NameRecorded, String> commandHandler() {
        return newCommandHandlerBuilder()
                .forAnyState()
                .onCommand(
                        RecordName.class,
                        (state, command) -> state.isEmpty()
                                ? Effect().persist(new NameRecorded(groupId)).thenStop()
                                : Effect().stop())
                .build();
    }

    @Override
    public EventHandler<String, NameRecorded> eventHandler() {
        return newEventHandlerBuilder()
                .forAnyState()
                .onEvent(NameRecorded.class, (state, event) -> event.groupId())
                .build();
    }

    @Override
    public SignalHandler<String> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    if (state.isEmpty()) {
                        context.getSelf().tell(new RecordName());
                    } else {
                        context.stop(context.getSelf());
                    }
                })
                .build();
    }
}
