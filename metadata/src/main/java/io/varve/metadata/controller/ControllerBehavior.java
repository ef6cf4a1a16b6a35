package io.varve.metadata.controller;

import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.AlterScramCredentials;
import io.varve.metadata.Controller.Command;
import io.varve.metadata.Controller.CreatePartitions;
import io.varve.metadata.Controller.CreateTopics;
import io.varve.metadata.Controller.DeleteTopics;
import io.varve.metadata.Controller.DescribeGroupConfigs;
import io.varve.metadata.Controller.DescribeScramCredentials;
import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.GroupConfigs;
import io.varve.metadata.Controller.MetadataUpdate;
import io.varve.metadata.Controller.OperationResult;
import io.varve.metadata.Controller.ProducerIdBlock;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.ReplaceConfigs;
import io.varve.metadata.Controller.ReplaceGroupConfigs;
import io.varve.metadata.ControllerSettings;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The controller's event-sourced behavior: a thin adapter from {@link Command}s to the planners
 * (plain classes deciding results and events) and from persisted {@link ControllerEvent}s to the
 * next {@link ControllerState}. After each persisted change it pushes the new image to every
 * subscriber; subscribers live only in this actor incarnation (not persisted) and are dropped when
 * they terminate. One instance per incarnation of the singleton; all state confined to it.
 */
public final class ControllerBehavior
        extends EventSourcedBehaviorWithEnforcedReplies<Command, ControllerEvent, ControllerState> {
    public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("varve-controller");
    private static final int KEEP_SNAPSHOTS = 2;

    private final ActorContext<Command> context;
    private final ControllerSettings settings;
    private final CreateTopicsPlanner createTopics;
    private final ConfigsPlanner configs;
    private final Set<ActorRef<MetadataUpdate>> subscribers = new LinkedHashSet<>();

    private ControllerBehavior(
            ActorContext<Command> context,
            ControllerSettings settings,
            Function<Map<String, String>, Optional<String>> topicConfigValidator) {
        super(
                PERSISTENCE_ID,
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.context = context;
        this.settings = settings;
        TopicConfigCheck configCheck = new TopicConfigCheck(topicConfigValidator);
        this.createTopics = new CreateTopicsPlanner(settings, configCheck, Uuid::randomUuid);
        this.configs = new ConfigsPlanner(configCheck);
    }

    public static Behavior<Command> create(
            ControllerSettings settings, Function<Map<String, String>, Optional<String>> topicConfigValidator) {
        return Behaviors.setup(context -> new ControllerBehavior(context, settings, topicConfigValidator));
    }

    @Override
    public ControllerState emptyState() {
        return ControllerState.initial(settings.clusterId());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), KEEP_SNAPSHOTS);
    }

    @Override
    public CommandHandlerWithReply<Command, ControllerEvent, ControllerState> commandHandler() {
        return newCommandHandlerWithReplyBuilder()
                .forAnyState()
                .onCommand(CreateTopics.class, this::onCreateTopics)
                .onCommand(DeleteTopics.class, this::onDeleteTopics)
                .onCommand(CreatePartitions.class, this::onCreatePartitions)
                .onCommand(ReplaceConfigs.class, this::onReplaceConfigs)
                .onCommand(AllocateProducerIds.class, this::onAllocateProducerIds)
                .onCommand(RegisterBroker.class, this::onRegisterBroker)
                .onCommand(GetImage.class, this::onGetImage)
                .onCommand(ReplaceGroupConfigs.class, this::onReplaceGroupConfigs)
                .onCommand(DescribeGroupConfigs.class, (state, c) -> Effect()
                        .reply(
                                c.replyTo(),
                                new GroupConfigs(c.group(), state.clients().groupConfigs(c.group()))))
                .onCommand(
                        AlterScramCredentials.class,
                        (state, c) -> persistThenReply(
                                ScramPlanner.plan(state.clients(), c.upsertions(), c.deletions()), c.replyTo()))
                .onCommand(DescribeScramCredentials.class, (state, c) -> Effect()
                        .reply(c.replyTo(), ScramInfos.of(state.clients())))
                .build();
    }

    @Override
    public EventHandler<ControllerState, ControllerEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(ControllerState::apply);
    }

    @Override
    public SignalHandler<ControllerState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.class, (state, signal) -> onRecoveryCompleted(state))
                .onSignal(Terminated.class, (state, signal) -> subscribers.remove(signal.getRef()))
                .build();
    }

    private ReplyEffect<ControllerEvent, ControllerState> onCreateTopics(ControllerState state, CreateTopics command) {
        return persistThenReply(
                createTopics.plan(state.image(), command.topics(), command.validateOnly()), command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onDeleteTopics(ControllerState state, DeleteTopics command) {
        return persistThenReply(
                DeleteTopicsPlanner.plan(state.image(), command.names(), command.topicIds()), command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onCreatePartitions(
            ControllerState state, CreatePartitions command) {
        return persistThenReply(
                CreatePartitionsPlanner.plan(state.image(), command.increases(), command.validateOnly()),
                command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onReplaceConfigs(
            ControllerState state, ReplaceConfigs command) {
        return persistThenReply(configs.plan(state.image(), command), command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onReplaceGroupConfigs(
            ControllerState state, ReplaceGroupConfigs command) {
        Map<String, String> configs = Immutables.sortedCopy(command.configs());
        if (command.validateOnly() || configs.equals(state.clients().groupConfigs(command.group()))) {
            return Effect().reply(command.replyTo(), new OperationResult(Errors.NONE, null));
        }
        return persistThenReply(
                new Outcome<>(
                        new OperationResult(Errors.NONE, null),
                        List.of(new ControllerEvent.GroupConfigsReplaced(command.group(), configs))),
                command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onAllocateProducerIds(
            ControllerState state, AllocateProducerIds command) {
        long first = state.nextProducerId();
        int size = settings.producerIdBlockSize();
        if (first > Long.MAX_VALUE - size) {
            // Kafka answers an exhausted producer-id space with UNKNOWN_SERVER_ERROR too
            context.getLog().error("Producer ids exhausted: next {} + block {} overflows", first, size);
            return Effect()
                    .reply(
                            command.replyTo(),
                            new ProducerIdBlock(command.brokerId(), -1L, 0, Errors.UNKNOWN_SERVER_ERROR));
        }
        return Effect()
                .persist(new ProducerIdsAllocated(command.brokerId(), first, size))
                .thenReply(command.replyTo(), s -> new ProducerIdBlock(command.brokerId(), first, size, Errors.NONE));
    }

    private ReplyEffect<ControllerEvent, ControllerState> onRegisterBroker(
            ControllerState state, RegisterBroker command) {
        ActorRef<MetadataUpdate> subscriber = command.subscriber();
        if (command.broker().equals(state.image().brokers().get(command.broker().nodeId()))) {
            return Effect()
                    .none()
                    .thenRun(s -> {
                        subscribe(subscriber);
                        subscriber.tell(new MetadataUpdate(s.image()));
                    })
                    .thenNoReply();
        }
        return Effect()
                .persist(new BrokerRegistered(command.broker()))
                .thenRun(s -> {
                    subscribe(subscriber);
                    publish(s);
                })
                .thenNoReply();
    }

    private ReplyEffect<ControllerEvent, ControllerState> onGetImage(ControllerState state, GetImage command) {
        return Effect().reply(command.replyTo(), new MetadataUpdate(state.image()));
    }

    private <R> ReplyEffect<ControllerEvent, ControllerState> persistThenReply(
            Outcome<R> outcome, ActorRef<R> replyTo) {
        if (outcome.events().isEmpty()) {
            return Effect().reply(replyTo, outcome.reply());
        }
        return Effect().persist(outcome.events()).thenRun(this::publish).thenReply(replyTo, s -> outcome.reply());
    }

    private void subscribe(ActorRef<MetadataUpdate> subscriber) {
        if (subscribers.add(subscriber)) {
            context.watch(subscriber);
        }
    }

    private void publish(ControllerState state) {
        MetadataUpdate update = new MetadataUpdate(state.image());
        subscribers.forEach(subscriber -> subscriber.tell(update));
    }

    private void onRecoveryCompleted(ControllerState state) {
        context.getLog()
                .info(
                        "Controller recovered at metadata offset {}: {} broker(s), {} topic(s), next producer id {}",
                        state.image().offset(),
                        state.image().brokers().size(),
                        state.image().topicsByName().size(),
                        state.nextProducerId());
    }
}
