package io.varve.metadata.controller;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.Activate;
import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.AlterPartition;
import io.varve.metadata.Controller.AlterReassignments;
import io.varve.metadata.Controller.AlterScramCredentials;
import io.varve.metadata.Controller.CheckLeaderBalance;
import io.varve.metadata.Controller.Command;
import io.varve.metadata.Controller.ControlledShutdown;
import io.varve.metadata.Controller.CreatePartitions;
import io.varve.metadata.Controller.CreateTopics;
import io.varve.metadata.Controller.DeleteTopics;
import io.varve.metadata.Controller.DescribeGroupConfigs;
import io.varve.metadata.Controller.DescribeScramCredentials;
import io.varve.metadata.Controller.ElectLeaders;
import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.GroupConfigs;
import io.varve.metadata.Controller.ListReassignments;
import io.varve.metadata.Controller.ListenersChanged;
import io.varve.metadata.Controller.LiveMembers;
import io.varve.metadata.Controller.MayAct;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.OperationResult;
import io.varve.metadata.Controller.ProducerIdBlock;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import io.varve.metadata.Controller.ReplaceConfigs;
import io.varve.metadata.Controller.ReplaceGroupConfigs;
import io.varve.metadata.ControllerSettings;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.MetadataListener;
import io.varve.metadata.TopicPolicy;
import io.varve.metadata.controller.ControllerEvent.ControllerActivated;
import io.varve.metadata.controller.ControllerEvent.PartitionChange;
import io.varve.metadata.controller.ControllerEvent.ProducerIdsAllocated;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
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
 * next {@link ControllerState}. After each persisted batch it pushes the events to every node
 * listener as deltas ({@link ImageChunks#deltas}); a listener that registers behind, a listener
 * found through the receptionist, and every listener when this controller activates get the full
 * image instead. Listeners and live members live only in this incarnation (not persisted). One
 * instance per incarnation of the singleton; all state confined to it.
 */
public final class ControllerBehavior
        extends EventSourcedBehaviorWithEnforcedReplies<Command, ControllerEvent, ControllerState> {
    public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("varve-controller");
    private static final int KEEP_SNAPSHOTS = 2;

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final ControllerSettings settings;
    private final int localNodeId;
    private final boolean clusterMode;
    private final CreateTopicsPlanner createTopics;
    private final ConfigsPlanner configs;
    private final Elections elections;
    private final BrokerLifecycle brokers;
    private final ControlledShutdowns shutdowns;
    private final IsrChangePlanner isrChanges;
    private final Set<ActorRef<MetadataPush>> registered = new LinkedHashSet<>();
    private Set<ActorRef<MetadataPush>> listed = Set.of();
    private Set<String> liveIncarnations = Set.of();

    private boolean active;
    /** The node may act as the cluster's controller: its cluster incarnation is known (see {@link #create}). */
    private boolean mayAct;

    private ControllerBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            ControllerSettings settings,
            TopicPolicy policy,
            int localNodeId,
            boolean clusterMode,
            CompletionStage<?> mayAct) {
        // a failed journal write restarts the controller, which replays; its membership watcher (a
        // child) must live on, or members that join later are never live to it (chaos F4), and the
        // restart cancels its timers, which recovery starts again
        super(
                PERSISTENCE_ID,
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2)
                        .withStopChildren(false));
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.localNodeId = localNodeId;
        this.clusterMode = clusterMode;
        TopicConfigCheck configCheck = new TopicConfigCheck(policy::validate);
        this.createTopics = new CreateTopicsPlanner(settings, configCheck, Uuid::randomUuid);
        this.configs = new ConfigsPlanner(configCheck);
        this.elections = new Elections(policy);
        this.brokers = new BrokerLifecycle(elections);
        this.shutdowns = new ControlledShutdowns(elections);
        this.isrChanges = new IsrChangePlanner(shutdowns, elections);
        CompletableFuture<?> gate = mayAct.toCompletableFuture();
        this.mayAct = gate.isDone() && !gate.isCompletedExceptionally();
        if (!this.mayAct) {
            // never completed when the node's cluster was superseded: it stops, and this controller never acts
            ActorRef<Command> self = context.getSelf();
            gate.thenRun(() -> self.tell(new MayAct()));
        }
    }

    /**
     * @param clusterMode watch cluster membership (fencing brokers whose incarnation left), find
     *     node listeners through the receptionist and record an activation after recovery; off in
     *     unit tests, which send {@link LiveMembers} themselves
     */
    public static Behavior<Command> create(
            ControllerSettings settings, TopicPolicy policy, int localNodeId, boolean clusterMode) {
        return create(settings, policy, localNodeId, clusterMode, CompletableFuture.completedFuture(null));
    }

    /**
     * As above; the controller recovers at once but stashes every command (so it persists nothing, and
     * records no activation) until {@code mayAct} completes: on a shared journal, when its node knows
     * the incarnation of its cluster, so the controller of a cluster that lost the founding lease
     * before founding never writes to the journal.
     */
    public static Behavior<Command> create(
            ControllerSettings settings,
            TopicPolicy policy,
            int localNodeId,
            boolean clusterMode,
            CompletionStage<?> mayAct) {
        return Behaviors.withTimers(timers -> Behaviors.setup(context -> {
            if (clusterMode) {
                context.spawn(MembershipWatcher.create(context.getSelf()), "membership");
                ActorRef<Receptionist.Listing> listings = context.messageAdapter(
                        Receptionist.Listing.class,
                        listing -> new ListenersChanged(
                                Set.copyOf(listing.getServiceInstances(MetadataListener.SERVICE_KEY))));
                context.getSystem().receptionist().tell(Receptionist.subscribe(MetadataListener.SERVICE_KEY, listings));
            }
            return new ControllerBehavior(context, timers, settings, policy, localNodeId, clusterMode, mayAct);
        }));
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
                .onCommand(MayAct.class, (state, c) -> {
                    mayAct = true;
                    return Effect().none().thenNoReply().thenUnstashAll();
                })
                .onCommand(c -> !mayAct, (state, c) -> Effect().stash())
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
                .onCommand(AlterPartition.class, (state, c) -> persistThenReply(isrChanges.plan(state, c), c.replyTo()))
                .onCommand(AlterReassignments.class, this::onAlterReassignments)
                .onCommand(ListReassignments.class, (state, c) -> Effect()
                        .reply(c.replyTo(), ReassignmentPlanner.list(state.reassignments(), state.image(), c)))
                .onCommand(LiveMembers.class, this::onLiveMembers)
                .onCommand(ListenersChanged.class, this::onListenersChanged)
                .onCommand(Activate.class, this::onActivate)
                .onCommand(ControlledShutdown.class, this::onControlledShutdown)
                .onCommand(ElectLeaders.class, this::onElectLeaders)
                .onCommand(CheckLeaderBalance.class, this::onCheckLeaderBalance)
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
                .onSignal(Terminated.class, (state, signal) -> registered.remove(signal.getRef()))
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

    /**
     * A config change may allow unclean leader election for a topic whose partitions have no leader:
     * Kafka elects them then, and so does Varve, in the same batch of events.
     */
    private ReplyEffect<ControllerEvent, ControllerState> onReplaceConfigs(
            ControllerState state, ReplaceConfigs command) {
        Outcome<OperationResult> outcome = configs.plan(state.image(), command);
        if (!outcome.events().isEmpty()) {
            MetadataImage next = MetadataImageTransition.applyAll(state.image(), outcome.events());
            List<ControllerEvent> all = new ArrayList<>(outcome.events());
            all.addAll(EventChunks.changed(
                    elections.electLeaderless(next, next.brokers().keySet())));
            outcome = new Outcome<>(outcome.reply(), all);
        }
        return persistThenReply(outcome, command.replyTo());
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
        List<ControllerEvent> events = List.of(new ProducerIdsAllocated(command.brokerId(), first, size));
        return Effect()
                .persist(events)
                .thenRun(s -> publish(s, events, null))
                .thenReply(command.replyTo(), s -> new ProducerIdBlock(command.brokerId(), first, size, Errors.NONE));
    }

    private ReplyEffect<ControllerEvent, ControllerState> onRegisterBroker(
            ControllerState state, RegisterBroker command) {
        shutdowns.forgetGone(liveIncarnations);
        Outcome<Registration> outcome = brokers.register(state.image(), liveIncarnations, command);
        ActorRef<MetadataPush> subscriber = command.subscriber();
        boolean registeredNow = outcome.reply().status() == RegistrationStatus.REGISTERED;
        if (registeredNow) {
            logRegistration(command, outcome);
        }
        if (outcome.events().isEmpty()) {
            return Effect()
                    .none()
                    .thenRun(s -> {
                        if (registeredNow) {
                            subscribe(subscriber);
                            if (command.knownOffset() != s.image().offset()) {
                                sendImage(subscriber, s);
                            }
                        }
                    })
                    .thenReply(command.replyTo(), s -> outcome.reply());
        }
        List<ControllerEvent> events = outcome.events();
        return Effect()
                .persist(events)
                .thenRun(s -> {
                    subscribe(subscriber);
                    sendImage(subscriber, s);
                    publish(s, events, subscriber);
                })
                .thenReply(command.replyTo(), s -> outcome.reply());
    }

    private void logRegistration(RegisterBroker command, Outcome<Registration> outcome) {
        if (!outcome.events().isEmpty()) {
            context.getLog()
                    .info(
                            "broker {} registered at {}:{} by {} (broker epoch {})",
                            command.broker().nodeId(),
                            command.broker().host(),
                            command.broker().port(),
                            command.incarnation(),
                            outcome.reply().brokerEpoch());
        }
    }

    private ReplyEffect<ControllerEvent, ControllerState> onGetImage(ControllerState state, GetImage command) {
        return Effect().none().thenRun(s -> sendImage(command.replyTo(), s)).thenNoReply();
    }

    private ReplyEffect<ControllerEvent, ControllerState> onLiveMembers(ControllerState state, LiveMembers command) {
        liveIncarnations = Set.copyOf(command.incarnations());
        shutdowns.forgetGone(liveIncarnations);
        List<ControllerEvent> events = brokers.fenceGone(state.image(), liveIncarnations);
        if (events.isEmpty()) {
            return Effect().none().thenNoReply();
        }
        context.getLog().info("fencing brokers whose incarnation left the cluster: {}", events.get(0));
        return Effect().persist(events).thenRun(s -> publish(s, events, null)).thenNoReply();
    }

    private ReplyEffect<ControllerEvent, ControllerState> onListenersChanged(
            ControllerState state, ListenersChanged command) {
        Set<ActorRef<MetadataPush>> added = new HashSet<>(command.listeners());
        added.removeAll(listed);
        added.removeAll(registered);
        listed = Set.copyOf(command.listeners());
        return Effect()
                .none()
                .thenRun(s -> {
                    if (active) {
                        added.forEach(listener -> sendImage(listener, s));
                    }
                })
                .thenNoReply();
    }

    private ReplyEffect<ControllerEvent, ControllerState> onActivate(ControllerState state, Activate command) {
        List<ControllerEvent> events = List.of(new ControllerActivated(localNodeId));
        return Effect()
                .persist(events)
                .thenRun(s -> {
                    active = true;
                    context.getLog()
                            .info(
                                    "controller active on node {} at metadata offset {}: pushing the image to {}"
                                            + " listener(s)",
                                    localNodeId,
                                    s.image().offset(),
                                    subscribers().size());
                    subscribers().forEach(listener -> sendImage(listener, s));
                })
                .thenNoReply();
    }

    /**
     * Controlled shutdown: from now on the broker is never elected nor added to an ISR (until its
     * incarnation leaves the cluster); its leaderships move and it leaves the ISRs in one batch of
     * events, and the reply counts the leaderships it still holds once they are persisted (zero:
     * a partition with no other live in-sync replica becomes leaderless).
     */
    private ReplyEffect<ControllerEvent, ControllerState> onControlledShutdown(
            ControllerState state, ControlledShutdown command) {
        if (!shutdowns.isShuttingDown(command.brokerId())) {
            context.getLog().info("broker {} asks for a controlled shutdown", command.brokerId());
        }
        return persistThenReply(shutdowns.request(state.image(), command), command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onElectLeaders(ControllerState state, ElectLeaders command) {
        Outcome<Controller.ElectionResults> outcome = ElectLeadersPlanner.plan(
                state.image(),
                command,
                elections.eligible(state.image().brokers().keySet()));
        if (!outcome.events().isEmpty()) {
            context.getLog()
                    .info(
                            "{} leader election: {}",
                            command.type(),
                            outcome.reply().results());
        }
        return persistThenReply(outcome, command.replyTo());
    }

    private ReplyEffect<ControllerEvent, ControllerState> onAlterReassignments(
            ControllerState state, AlterReassignments command) {
        Outcome<Controller.ReassignmentResults> outcome = ReassignmentPlanner.alter(
                state.image(),
                state.reassignments(),
                command,
                elections.eligible(state.image().brokers().keySet()));
        if (!outcome.events().isEmpty()) {
            context.getLog().info("partition reassignment: {} -> {}", command.targets(), outcome.events());
        }
        return persistThenReply(outcome, command.replyTo());
    }

    /** Automatic rebalancing: preferred leaders back where a broker's imbalance is too high. */
    private ReplyEffect<ControllerEvent, ControllerState> onCheckLeaderBalance(
            ControllerState state, CheckLeaderBalance command) {
        List<PartitionChange> changes = LeaderBalance.plan(
                state.image(),
                elections.eligible(state.image().brokers().keySet()),
                settings.leaderBalance().imbalancePercentage());
        if (changes.isEmpty()) {
            return Effect().none().thenNoReply();
        }
        context.getLog()
                .info(
                        "leader imbalance above {}%: {} partition(s) back to their preferred leaders",
                        settings.leaderBalance().imbalancePercentage(), changes.size());
        List<ControllerEvent> events = EventChunks.changed(changes);
        return Effect().persist(events).thenRun(s -> publish(s, events, null)).thenNoReply();
    }

    private <R> ReplyEffect<ControllerEvent, ControllerState> persistThenReply(
            Outcome<R> outcome, ActorRef<R> replyTo) {
        if (outcome.events().isEmpty()) {
            return Effect().reply(replyTo, outcome.reply());
        }
        List<ControllerEvent> events = EventChunks.split(outcome.events());
        return Effect().persist(events).thenRun(s -> publish(s, events, null)).thenReply(replyTo, s -> outcome.reply());
    }

    private void subscribe(ActorRef<MetadataPush> subscriber) {
        if (registered.add(subscriber)) {
            context.watch(subscriber);
        }
    }

    private Set<ActorRef<MetadataPush>> subscribers() {
        Set<ActorRef<MetadataPush>> all = new LinkedHashSet<>(registered);
        all.addAll(listed);
        return all;
    }

    /** Pushes the events just persisted (ending at the state's offset) to every listener but {@code except}. */
    private void publish(ControllerState state, List<ControllerEvent> events, ActorRef<MetadataPush> except) {
        long baseOffset = state.image().offset() - events.size() + 1;
        List<? extends MetadataPush> deltas = ImageChunks.deltas(baseOffset, events);
        for (ActorRef<MetadataPush> subscriber : subscribers()) {
            if (!subscriber.equals(except)) {
                deltas.forEach(subscriber::tell);
            }
        }
    }

    private static void sendImage(ActorRef<MetadataPush> subscriber, ControllerState state) {
        ImageChunks.chunks(state.image()).forEach(subscriber::tell);
    }

    private void onRecoveryCompleted(ControllerState state) {
        context.getLog()
                .info(
                        "Controller recovered at metadata offset {}: {} broker(s), {} topic(s), next producer id {}",
                        state.image().offset(),
                        state.image().registrations().size(),
                        state.image().topicsByName().size(),
                        state.nextProducerId());
        if (clusterMode && settings.leaderBalance().enabled()) {
            timers.startTimerWithFixedDelay(
                    new CheckLeaderBalance(), settings.leaderBalance().checkInterval());
        }
        if (clusterMode) {
            context.getSelf().tell(new Activate());
        } else {
            active = true;
        }
    }
}
