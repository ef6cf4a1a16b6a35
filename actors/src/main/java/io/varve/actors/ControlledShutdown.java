package io.varve.actors;

import io.varve.metadata.Ask;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.ControlledShutdownResult;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first step of a clean stop (SIGTERM, {@code bin/varve stop}): before the Kafka listener closes,
 * the node asks the controller to move its leaderships to other in-sync replicas ({@code
 * Controller.ControlledShutdown}) and waits until its own metadata shows it leads no partition, so
 * producers see NOT_LEADER_OR_FOLLOWER (retriable) and move on rather than waiting for a dead
 * leader to be fenced. Bounded by {@code varve.node.controlled-shutdown-timeout}: past it, the node
 * stops anyway (and the controller fences it once it left, as after a crash). Skipped when the
 * cluster downed the node, when it never served, and when no other broker is live to take over;
 * ended at once when the node stops being a cluster member while it waits (downed meanwhile).
 *
 * <p>Runs as a CoordinatedShutdown task in the before-service-unbind phase; its futures complete on
 * Pekko's threads and on the metadata listener's, and only complete futures.
 */
final class ControlledShutdown {
    private static final Logger log = LoggerFactory.getLogger(ControlledShutdown.class);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY_DELAY = Duration.ofMillis(200);

    private final ActorSystem<?> system;
    private final int nodeId;
    private final Duration timeout;
    private final ActorRef<Controller.Command> controller;
    private final MetadataCache metadata;

    private ControlledShutdown(
            ActorSystem<?> system,
            int nodeId,
            Duration timeout,
            ActorRef<Controller.Command> controller,
            MetadataCache metadata) {
        this.system = system;
        this.nodeId = nodeId;
        this.timeout = timeout;
        this.controller = controller;
        this.metadata = metadata;
    }

    /** Adds the task to CoordinatedShutdown; {@code serving} completes once the node served clients. */
    static void register(
            ActorSystem<?> system,
            NodeSettings settings,
            ActorRef<Controller.Command> controller,
            MetadataCache metadata,
            CompletionStage<?> serving) {
        ControlledShutdown task = new ControlledShutdown(
                system, settings.nodeId(), settings.controlledShutdownTimeout(), controller, metadata);
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "controlled-shutdown", () -> {
            boolean downed = shutdown.getShutdownReason()
                    .map(reason -> reason instanceof CoordinatedShutdown.ClusterDowningReason$)
                    .orElse(false);
            boolean served = serving.toCompletableFuture().isDone()
                    && !serving.toCompletableFuture().isCompletedExceptionally();
            if (downed || !served || task.timeout.isZero() || !task.othersLive(metadata.image())) {
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            return task.run();
        });
    }

    private CompletionStage<Done> run() {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        String incarnation = Cluster.get(system).selfMember().uniqueAddress().toString();
        log.info(
                "controlled shutdown of node {}: moving its {} leadership(s) to other in-sync replicas",
                nodeId,
                leaderships(metadata.image()));
        CompletableFuture<Done> done = new CompletableFuture<>();
        // downed while it waits (paused past the failure detector, then stopped): no controller will
        // answer a member the cluster removed, so stop at once rather than at the timeout
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberRemoved(() -> {
            if (done.complete(Done.getInstance())) {
                log.info("controlled shutdown of node {}: the node is no longer a cluster member; stopping", nodeId);
            }
        });
        attempt(incarnation, deadline, done);
        return done.whenComplete((ok, error) -> log.info(
                "controlled shutdown of node {} done after {} ms: it leads {} partition(s)",
                nodeId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                leaderships(metadata.image())));
    }

    private void attempt(String incarnation, long deadline, CompletableFuture<Done> done) {
        if (done.isDone()) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            log.warn("controlled shutdown of node {}: the controller did not answer within {}", nodeId, timeout);
            done.complete(Done.getInstance());
            return;
        }
        Duration wait = Duration.ofNanos(Math.min(left, ATTEMPT_TIMEOUT.toNanos()));
        CompletionStage<ControlledShutdownResult> asked = Ask.ask(
                controller,
                replyTo -> new Controller.ControlledShutdown(nodeId, incarnation, replyTo),
                wait,
                system.scheduler());
        asked.whenComplete((result, failure) -> {
            if (done.isDone()) {
                return;
            }
            if (failure != null) {
                log.info("controlled shutdown of node {}: {}; asking again", nodeId, failure.toString());
                system.scheduler()
                        .scheduleOnce(
                                RETRY_DELAY, () -> attempt(incarnation, deadline, done), system.executionContext());
            } else if (result.error() != org.apache.kafka.common.protocol.Errors.NONE) {
                log.warn("controlled shutdown of node {} refused: {} {}", nodeId, result.error(), result.message());
                done.complete(Done.getInstance());
            } else {
                awaitNoLeaderships(deadline, done);
            }
        });
    }

    /** Completes {@code done} once this node's image shows it leads nothing, or at the deadline. */
    private void awaitNoLeaderships(long deadline, CompletableFuture<Done> done) {
        Consumer<MetadataImage> listener = image -> {
            if (leaderships(image) == 0) {
                done.complete(Done.getInstance());
            }
        };
        metadata.subscribe(listener);
        done.whenComplete((ok, error) -> metadata.unsubscribe(listener));
        listener.accept(metadata.image());
        long left = Math.max(0, deadline - System.nanoTime());
        system.scheduler()
                .scheduleOnce(
                        Duration.ofNanos(left),
                        () -> {
                            if (done.complete(Done.getInstance())) {
                                log.warn(
                                        "controlled shutdown of node {}: still leading {} partition(s) after {}",
                                        nodeId,
                                        leaderships(metadata.image()),
                                        timeout);
                            }
                        },
                        system.executionContext());
    }

    private boolean othersLive(MetadataImage image) {
        return image.brokers().keySet().stream().anyMatch(id -> id != nodeId);
    }

    private int leaderships(MetadataImage image) {
        int led = 0;
        for (TopicImage topic : image.topicsByName().values()) {
            for (PartitionRegistration partition : topic.partitions().values()) {
                if (partition.leader() == nodeId) {
                    led++;
                }
            }
        }
        return led;
    }
}
