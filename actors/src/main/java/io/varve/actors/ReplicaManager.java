package io.varve.actors;

import io.varve.metadata.LocalOnly;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionSettings;
import io.varve.partition.TransactionVerifier;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.LogDirectory;
import io.varve.transport.api.TopicConfigs;
import io.varve.transport.api.admin.configs.BrokerConfigNames;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Spawns and stops this node's {@link PartitionActor}s from the metadata image (Kafka's
 * ReplicaManager role): a partition whose replicas include this node gets an actor on {@code
 * varve.storage-dispatcher}; a partition that left the image (topic deleted) is stopped and its log
 * deleted; a changed registration or topic config is passed on. It also checkpoints the data
 * directory's recovery points and log start offsets, and on {@link StopAll} closes every log and
 * writes the clean-shutdown marker. Runs on the storage dispatcher (it writes checkpoint files).
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

    private final LogDirectory logDirectory;
    private final int nodeId;
    private final HostedPartitions hosted;
    private final TopicConfigs topicConfigs;
    private final PartitionSettings partitionSettings;
    private final TransactionVerifier verifier;
    private final Map<TopicPartition, Hosted> partitions = new HashMap<>();
    private final Map<TopicPartition, Long> recoveryPoints = new HashMap<>();
    private final Map<TopicPartition, Long> logStartOffsets = new HashMap<>();
    private final Set<TopicPartition> stopping = new HashSet<>();
    private MetadataImage pendingImage;
    private ActorRef<Done> stopAllReplyTo;

    private record Hosted(ActorRef<PartitionActor.Command> ref, PartitionRegistration registration, LogConfig config) {}

    public static Behavior<Command> create(
            LogDirectory logDirectory,
            int nodeId,
            MetadataCache metadata,
            HostedPartitions hosted,
            TopicConfigs topicConfigs,
            PartitionSettings partitionSettings,
            TransactionVerifier verifier,
            Duration checkpointInterval) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            metadata.subscribe(image -> context.getSelf().tell(new ImageChanged(image)));
            context.getSelf().tell(new ImageChanged(metadata.image()));
            timers.startTimerWithFixedDelay(new CheckpointTick(), checkpointInterval);
            return new ReplicaManager(context, logDirectory, nodeId, hosted, topicConfigs, partitionSettings, verifier);
        }));
    }

    private ReplicaManager(
            ActorContext<Command> context,
            LogDirectory logDirectory,
            int nodeId,
            HostedPartitions hosted,
            TopicConfigs topicConfigs,
            PartitionSettings partitionSettings,
            TransactionVerifier verifier) {
        super(context);
        this.logDirectory = logDirectory;
        this.nodeId = nodeId;
        this.hosted = hosted;
        this.topicConfigs = topicConfigs;
        this.partitionSettings = partitionSettings;
        this.verifier = verifier;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(ImageChanged.class, this::onImageChanged)
                .onMessage(CheckpointTick.class, this::onCheckpointTick)
                .onMessage(Described.class, this::onDescribed)
                .onMessage(Stopped.class, this::onStopped)
                .onMessage(StopAll.class, this::onStopAll)
                .build();
    }

    private Behavior<Command> onImageChanged(ImageChanged changed) {
        if (stopAllReplyTo != null) {
            return this;
        }
        MetadataImage image = changed.image();
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
                            PartitionActor.create(
                                    logDirectory,
                                    tp,
                                    topic.topicId(),
                                    config,
                                    registration,
                                    nodeId,
                                    partitionSettings,
                                    verifier),
                            "partition-" + tp.topic() + "-" + tp.partition() + "-" + topic.topicId(),
                            DispatcherSelector.fromConfig("varve.storage-dispatcher"));
            partitions.put(tp, new Hosted(ref, registration, config));
            hosted.register(tp, ref);
        } else if (!current.registration().equals(registration)
                || !current.config().equals(config)) {
            current.ref().tell(new PartitionActor.UpdateRegistration(registration, config));
            partitions.put(tp, new Hosted(current.ref(), registration, config));
        }
    }

    /**
     * Kafka's precedence: the topic's overrides, then dynamic broker defaults (AlterConfigs on a
     * broker resource), then the static broker defaults, then Kafka's defaults.
     */
    private LogConfig effectiveConfig(MetadataImage image, TopicImage topic) {
        Map<String, String> brokerDefaults = new HashMap<>(topicConfigs.brokerDefaults());
        brokerDefaults.putAll(BrokerConfigNames.topicDefaults(image.brokerConfigs()));
        return LogConfig.fromMap(brokerDefaults).with(topic.configs());
    }

    private void stop(TopicPartition tp, boolean deleteLog) {
        Hosted current = partitions.remove(tp);
        hosted.unregister(tp);
        if (deleteLog) {
            recoveryPoints.remove(tp);
            logStartOffsets.remove(tp);
        }
        stopping.add(tp);
        ActorRef<PartitionActor.Stopped> adapter =
                getContext().messageAdapter(PartitionActor.Stopped.class, s -> new Stopped(s.tp()));
        current.ref().tell(new PartitionActor.Stop(deleteLog, adapter));
    }

    private Behavior<Command> onStopped(Stopped stopped) {
        stopping.remove(stopped.tp());
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
        }
        return this;
    }

    private void writeCheckpoints() {
        try {
            logDirectory.writeCheckpoints(Map.copyOf(recoveryPoints), Map.copyOf(logStartOffsets));
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
            logDirectory.markCleanShutdown();
            getContext().getLog().info("all logs closed; clean shutdown marker written in {}", logDirectory.path());
        } catch (IOException e) {
            getContext().getLog().error("writing the clean-shutdown marker failed", e);
        }
        stopAllReplyTo.tell(Done.getInstance());
    }
}
