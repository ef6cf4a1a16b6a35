package io.varve.actors;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionSettings;
import io.varve.partition.ReplicaSpec;
import io.varve.partition.TransactionVerifier;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.partition.cleaner.LogCleaner;
import io.varve.partition.replication.ReplicaFetchers;
import io.varve.partition.replication.ReplicationContext;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.transport.api.TopicConfigs;
import io.varve.transport.api.admin.configs.BrokerConfigNames;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Spawns and stops this node's {@link PartitionActor}s from the metadata image (Kafka's
 * ReplicaManager role): a partition whose replicas include this node gets an actor on {@code
 * varve.storage-dispatcher}; a partition that left the image (topic deleted) is stopped and its log
 * deleted; a changed registration or topic config is passed on. It also checkpoints the data
 * directory's recovery points, log start offsets and high watermarks, removes stray logs (partitions
 * the first metadata image does not assign here, {@link StrayLogs}), tells the node's {@link
 * LogCleaner} (its child) which partitions it hosts, leader or follower, and which are compacted, and
 * on {@link StopAll} stops the replica fetchers and the cleaner, closes every log and writes the
 * clean-shutdown marker. Runs on the storage dispatcher (it writes checkpoint files and deletes
 * directories).
 *
 * <p>Supervision. It watches every partition actor: one that stops without being asked to (it
 * failed past its restart limit) is replaced by an offline replica ({@link PartitionActor#offline})
 * answering {@code KAFKA_STORAGE_ERROR}, so callers get an error code at once rather than a
 * time-out from a dead actor. A bug in the manager itself restarts it without stopping its
 * partitions: the new instance takes them over from {@link HostedPartitions}, starts its checkpoints
 * from what the data directory's checkpoint files hold, and applies the current image again; the
 * log cleaner, a child, keeps running too and is taken over.
 */
public final class ReplicaManager extends AbstractBehavior<ReplicaManager.Command> {

    public sealed interface Command extends LocalOnly {}

    /** A new metadata image (from the node's {@link MetadataCache}). */
    public record ImageChanged(MetadataImage image) implements Command {}

    /** Clean shutdown: checkpoint, close every log, write the clean-shutdown marker. */
    public record StopAll(ActorRef<Done> replyTo) implements Command {}

    private record CheckpointTick() implements Command {}

    private record Described(PartitionActor.LogDescription description) implements Command {}

    private record Stopped(TopicPartition tp) implements Command {}

    /** A watched partition actor terminated (asked to stop, or failed past its restart limit). */
    private record PartitionTerminated(TopicPartition tp, ActorRef<PartitionActor.Command> ref) implements Command {}

    private final LogDirectory logDirectory;
    private final int nodeId;
    private final MetadataCache metadata;
    private final Consumer<MetadataImage> listener;
    private final HostedPartitions hosted;
    private final TopicConfigs topicConfigs;
    private final PartitionSettings partitionSettings;
    private final ReplicationContext replication;
    private final TransactionVerifier verifier;
    private ActorRef<LogCleaner.Command> cleaner;
    private final Map<TopicPartition, Hosted> partitions = new HashMap<>();
    private final Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
    private final Map<TopicPartition, Long> logStartOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> highWatermarks = new HashMap<>();
    private boolean straysRemoved;
    private final Set<TopicPartition> stopping = new HashSet<>();
    private MetadataImage pendingImage;
    private ActorRef<Done> stopAllReplyTo;
    private int offlineReplacements;

    private static final String LOG_CLEANER = "log-cleaner";

    private record Hosted(ActorRef<PartitionActor.Command> ref, PartitionRegistration registration, LogConfig config) {}

    /** A replica manager whose partitions never replicate, without a log cleaner (a single node's tests). */
    public static Behavior<Command> create(
            LogDirectory logDirectory,
            int nodeId,
            MetadataCache metadata,
            HostedPartitions hosted,
            TopicConfigs topicConfigs,
            PartitionSettings partitionSettings,
            TransactionVerifier verifier,
            Duration checkpointInterval) {
        return create(
                logDirectory,
                nodeId,
                metadata,
                hosted,
                topicConfigs,
                partitionSettings,
                verifier,
                CleanerSettings.disabled(),
                checkpointInterval,
                ReplicationContext.standalone());
    }

    public static Behavior<Command> create(
            LogDirectory logDirectory,
            int nodeId,
            MetadataCache metadata,
            HostedPartitions hosted,
            TopicConfigs topicConfigs,
            PartitionSettings partitionSettings,
            TransactionVerifier verifier,
            CleanerSettings cleanerSettings,
            Duration checkpointInterval,
            ReplicationContext replication) {
        Behavior<Command> manager = Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            Consumer<MetadataImage> listener = image -> context.getSelf().tell(new ImageChanged(image));
            metadata.subscribe(listener);
            context.getSelf().tell(new ImageChanged(metadata.image()));
            timers.startTimerWithFixedDelay(new CheckpointTick(), checkpointInterval);
            ReplicaManager replicaManager = new ReplicaManager(
                    context,
                    logDirectory,
                    nodeId,
                    metadata,
                    listener,
                    hosted,
                    topicConfigs,
                    partitionSettings,
                    verifier,
                    replication);
            replicaManager.cleaner =
                    cleanerSettings.enabled() ? logCleaner(context, logDirectory, cleanerSettings) : null;
            return replicaManager;
        }));
        // a bug in handling one message restarts the manager; the partitions go on serving meanwhile
        return Behaviors.supervise(manager)
                .onFailure(RuntimeException.class, SupervisorStrategy.restart().withStopChildren(false));
    }

    private ReplicaManager(
            ActorContext<Command> context,
            LogDirectory logDirectory,
            int nodeId,
            MetadataCache metadata,
            Consumer<MetadataImage> listener,
            HostedPartitions hosted,
            TopicConfigs topicConfigs,
            PartitionSettings partitionSettings,
            TransactionVerifier verifier,
            ReplicationContext replication) {
        super(context);
        this.replication = replication;
        this.logDirectory = logDirectory;
        this.nodeId = nodeId;
        this.metadata = metadata;
        this.listener = listener;
        this.hosted = hosted;
        this.topicConfigs = topicConfigs;
        this.partitionSettings = partitionSettings;
        this.verifier = verifier;
        recoveryPoints.putAll(logDirectory.checkpointedRecoveryPoints());
        logStartOffsets.putAll(logDirectory.checkpointedLogStartOffsets());
        highWatermarks.putAll(logDirectory.checkpointedHighWatermarks());
        adoptHostedPartitions();
    }

    /** The node's log cleaner: after a restart, the one that kept running. */
    private static ActorRef<LogCleaner.Command> logCleaner(
            ActorContext<Command> context, LogDirectory logDirectory, CleanerSettings settings) {
        Optional<ActorRef<Void>> running = context.getChild(LOG_CLEANER);
        if (running.isPresent()) {
            return running.get().unsafeUpcast();
        }
        return context.spawn(
                LogCleaner.create(logDirectory.path(), settings),
                LOG_CLEANER,
                DispatcherSelector.fromConfig("varve.storage-dispatcher"));
    }

    private void tellCleaner(LogCleaner.Command command) {
        if (cleaner != null) {
            cleaner.tell(command);
        }
    }

    /**
     * After a restart: the partition actors kept running; take them over. Their registration and
     * config are not known here any more, so the next image passes them on again (a partition
     * ignores an update it already has).
     */
    private void adoptHostedPartitions() {
        hosted.snapshot().forEach((tp, ref) -> {
            partitions.put(tp, new Hosted(ref, null, null));
            watch(tp, ref);
        });
        if (!partitions.isEmpty()) {
            getContext().getLog().warn("restarted; took over {} running partition(s)", partitions.size());
        }
    }

    private void watch(TopicPartition tp, ActorRef<PartitionActor.Command> ref) {
        getContext().watchWith(ref, new PartitionTerminated(tp, ref));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ImageChanged.class, this::onImageChanged)
                .onMessage(CheckpointTick.class, this::onCheckpointTick)
                .onMessage(Described.class, this::onDescribed)
                .onMessage(Stopped.class, this::onStopped)
                .onMessage(PartitionTerminated.class, this::onPartitionTerminated)
                .onMessage(StopAll.class, this::onStopAll)
                .onSignal(PreRestart.class, signal -> onTerminated())
                .onSignal(PostStop.class, signal -> onTerminated())
                .build();
    }

    /** The next instance (after a restart) subscribes again; this one must not be told twice. */
    private Behavior<Command> onTerminated() {
        metadata.unsubscribe(listener);
        return this;
    }

    private Behavior<Command> onImageChanged(ImageChanged changed) {
        if (stopAllReplyTo != null) {
            return this;
        }
        MetadataImage image = changed.image();
        if (!straysRemoved && image.offset() >= 0) {
            // the first image from the controller is complete: logs it does not assign here are strays
            straysRemoved = true;
            StrayLogs.remove(logDirectory, image, nodeId, getContext().getLog());
        }
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicImage topic : image.topicsByName().values()) {
            for (PartitionRegistration registration : topic.partitions().values()) {
                if (registration.replicas().contains(nodeId)) {
                    TopicPartition tp = new TopicPartition(topic.name(), registration.partition());
                    wanted.add(tp);
                    host(image, topic, tp, registration);
                }
            }
        }
        for (TopicPartition tp : Set.copyOf(partitions.keySet())) {
            if (!wanted.contains(tp)) {
                stop(tp, true);
            }
        }
        pendingImage = stopping.isEmpty() ? null : image;
        return this;
    }

    private void host(MetadataImage image, TopicImage topic, TopicPartition tp, PartitionRegistration registration) {
        LogConfig config;
        try {
            config = effectiveConfig(image, topic);
        } catch (ConfigException e) {
            getContext().getLog().error("invalid config for {}, keeping the previous one: {}", tp, e.getMessage());
            return;
        }
        Hosted current = partitions.get(tp);
        if (current == null) {
            if (stopping.contains(tp)) {
                return; // a deleted topic of the same name is still closing; spawned when it has stopped
            }
            ActorRef<PartitionActor.Command> ref = getContext()
                    .spawn(
                            PartitionActor.create(ReplicaSpec.standalone(
                                            logDirectory,
                                            tp,
                                            topic.topicId(),
                                            config,
                                            registration,
                                            nodeId,
                                            partitionSettings)
                                    .replicatingThrough(replication)
                                    .verifiedBy(verifier)),
                            "partition-" + tp.topic() + "-" + tp.partition() + "-" + topic.topicId(),
                            DispatcherSelector.fromConfig("varve.storage-dispatcher"));
            partitions.put(tp, new Hosted(ref, registration, config));
            hosted.register(tp, ref);
            watch(tp, ref);
            tellCleaner(new LogCleaner.Track(tp, ref, config.isCompacted()));
        } else if (!registration.equals(current.registration()) || !config.equals(current.config())) {
            current.ref().tell(new PartitionActor.UpdateRegistration(registration, config));
            partitions.put(tp, new Hosted(current.ref(), registration, config));
            if (current.config() == null || current.config().isCompacted() != config.isCompacted()) {
                tellCleaner(new LogCleaner.Track(tp, current.ref(), config.isCompacted()));
            }
        }
    }

    /**
     * Kafka's precedence: the topic's overrides, then dynamic broker defaults (AlterConfigs on a
     * broker resource), then the static broker defaults, then Kafka's defaults.
     */
    private LogConfig effectiveConfig(MetadataImage image, TopicImage topic) {
        Map<String, String> brokerDefaults = new HashMap<>(topicConfigs.brokerDefaults());
        brokerDefaults.putAll(BrokerConfigNames.topicDefaults(image.brokerConfigsOf(nodeId)));
        return LogConfig.fromMap(brokerDefaults).with(topic.configs());
    }

    private void stop(TopicPartition tp, boolean deleteLog) {
        Hosted current = partitions.remove(tp);
        hosted.unregister(tp);
        tellCleaner(new LogCleaner.Untrack(tp, deleteLog));
        if (deleteLog) {
            recoveryPoints.remove(tp);
            logStartOffsets.remove(tp);
            highWatermarks.remove(tp);
        }
        stopping.add(tp);
        ActorRef<PartitionActor.Stopped> adapter =
                getContext().messageAdapter(PartitionActor.Stopped.class, s -> new Stopped(s.tp()));
        current.ref().tell(new PartitionActor.Stop(deleteLog, adapter));
    }

    private Behavior<Command> onStopped(Stopped stopped) {
        return onPartitionStopped(stopped.tp());
    }

    /**
     * A partition actor terminated: the end of a stop (also reported by {@code Stopped}, whichever
     * comes first), or a failure past its restart limit, which puts an offline replica in its place.
     */
    private Behavior<Command> onPartitionTerminated(PartitionTerminated terminated) {
        TopicPartition tp = terminated.tp();
        Hosted current = partitions.get(tp);
        if (current != null && current.ref().equals(terminated.ref())) {
            replaceWithOffline(tp, current);
            return this;
        }
        return onPartitionStopped(tp);
    }

    private void replaceWithOffline(TopicPartition tp, Hosted failed) {
        getContext()
                .getLog()
                .error(
                        "the actor of {} stopped after failing more than {} times in {}: {} is offline, answering "
                                + "KAFKA_STORAGE_ERROR until the node restarts",
                        tp,
                        PartitionActor.MAX_RESTARTS,
                        PartitionActor.MAX_RESTARTS_WITHIN,
                        tp);
        ActorRef<PartitionActor.Command> ref = getContext()
                .spawn(
                        PartitionActor.offline(logDirectory, tp, "its actor failed repeatedly"),
                        "offline-" + tp.topic() + "-" + tp.partition() + "-" + ++offlineReplacements);
        partitions.put(tp, new Hosted(ref, failed.registration(), failed.config()));
        hosted.register(tp, ref);
        watch(tp, ref);
        tellCleaner(new LogCleaner.Untrack(tp, false));
    }

    private Behavior<Command> onPartitionStopped(TopicPartition tp) {
        if (!stopping.remove(tp)) {
            return this; // already handled: both the Stopped reply and the termination report a stop
        }
        if (stopAllReplyTo != null) {
            if (stopping.isEmpty()) {
                finishStopAll();
            }
            return this;
        }
        if (pendingImage != null && stopping.isEmpty()) {
            return onImageChanged(new ImageChanged(pendingImage));
        }
        return this;
    }

    private Behavior<Command> onCheckpointTick(CheckpointTick tick) {
        ActorRef<PartitionActor.LogDescription> adapter =
                getContext().messageAdapter(PartitionActor.LogDescription.class, Described::new);
        partitions.values().forEach(h -> h.ref().tell(new PartitionActor.DescribeLog(adapter)));
        writeCheckpoints();
        return this;
    }

    private Behavior<Command> onDescribed(Described described) {
        PartitionActor.LogDescription d = described.description();
        boolean current = partitions.containsKey(d.tp()) || (stopAllReplyTo != null && stopping.contains(d.tp()));
        if (current && !d.offline()) {
            // a log being stopped is closed next, which flushes it to its end
            recoveryPoints.put(d.tp(), stopAllReplyTo != null ? d.logEndOffset() : d.recoveryPoint());
            logStartOffsets.put(d.tp(), d.logStartOffset());
            highWatermarks.put(d.tp(), d.highWatermark());
        }
        return this;
    }

    private void writeCheckpoints() {
        try {
            logDirectory.writeCheckpoints(Map.copyOf(recoveryPoints), Map.copyOf(logStartOffsets));
            logDirectory.writeHighWatermarks(Map.copyOf(highWatermarks));
        } catch (IOException e) {
            getContext().getLog().error("writing checkpoints to {} failed", logDirectory.path(), e);
        }
    }

    /**
     * Clean shutdown: every partition's final offsets are described, then each log is closed
     * (flushed, snapshots written, indexes trimmed); the checkpoints and the clean-shutdown marker
     * are written last.
     */
    private Behavior<Command> onStopAll(StopAll stopAll) {
        stopAllReplyTo = stopAll.replyTo();
        if (!replication.isStandalone()) {
            // no follower appends while the logs close
            replication
                    .fetchers()
                    .tell(new ReplicaFetchers.StopAll(getContext().getSystem().ignoreRef()));
        }
        if (cleaner != null) {
            getContext().stop(cleaner); // cleanings in flight are called off before the logs close
            cleaner = null;
        }
        ActorRef<PartitionActor.LogDescription> adapter =
                getContext().messageAdapter(PartitionActor.LogDescription.class, Described::new);
        partitions.values().forEach(h -> h.ref().tell(new PartitionActor.DescribeLog(adapter)));
        for (TopicPartition tp : Set.copyOf(partitions.keySet())) {
            stop(tp, false);
        }
        if (stopping.isEmpty()) {
            finishStopAll();
        }
        return this;
    }

    private void finishStopAll() {
        writeCheckpoints();
        try {
            if (logDirectory.markCleanShutdown()) {
                getContext().getLog().info("all logs closed; clean shutdown marker written in {}", logDirectory.path());
            }
        } catch (IOException e) {
            getContext().getLog().error("writing the clean-shutdown marker failed", e);
        }
        stopAllReplyTo.tell(Done.getInstance());
    }
}
