package io.varve.txn.pid;

import io.varve.metadata.Controller;
import io.varve.metadata.LocalOnly;
import java.time.Duration;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Hands out producer ids on one node for InitProducerId, from blocks the controller allocates
 * ({@code Controller.AllocateProducerIds}); asks for the next block before the current one runs
 * out, so a producer rarely waits for the controller. Local to its node.
 *
 * <p>Requests that arrive while no id is left wait for the block on its way. When the controller
 * fails or does not answer, the manager retries with a growing backoff; after {@link
 * Timing#failuresBeforeAnswering()} failures in a row the waiting requests, and new ones until a
 * block arrives, are answered {@code COORDINATOR_LOAD_IN_PROGRESS}, which producers retry (Kafka's
 * broker answers the same while it waits for a block).
 */
public final class ProducerIdManager {
    private ProducerIdManager() {}

    public sealed interface Command extends LocalOnly {}

    public record GenerateProducerId(ActorRef<GeneratedProducerId> replyTo) implements Command {}

    /** {@code producerId} is -1 unless {@code error} is NONE. */
    public record GeneratedProducerId(long producerId, Errors error) implements LocalOnly {}

    // ---- private messages ----

    /** The controller's answer to {@code AllocateProducerIds}, or the ask's failure (timeout). */
    record BlockReceived(Controller.ProducerIdBlock block, Throwable failure) implements Command {}

    /** Timer: ask the controller again after a failure. */
    record RetryFetch() implements Command {}

    /**
     * @param askTimeout how long to wait for the controller's block
     * @param initialBackoff the wait before the first retry, doubled per failure
     * @param maxBackoff the longest wait between retries
     * @param failuresBeforeAnswering failures in a row after which waiting requests get an error
     */
    record Timing(Duration askTimeout, Duration initialBackoff, Duration maxBackoff, int failuresBeforeAnswering) {
        static final Timing DEFAULT =
                new Timing(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(10), 3);

        Duration backoff(int failures) {
            long millis = initialBackoff.toMillis() << Math.min(20, Math.max(0, failures - 1));
            return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
        }
    }

    /** The behavior: asks {@code controller} for the first block of {@code brokerId} at once. */
    public static Behavior<Command> create(ActorRef<Controller.Command> controller, int brokerId) {
        return create(controller, brokerId, Timing.DEFAULT);
    }

    /**
     * A bug in a handler restarts the manager after a backoff (1 s, growing to 30 s while it keeps
     * failing, so a failure on every block does not burn blocks quickly): the requests waiting are
     * answered {@code COORDINATOR_LOAD_IN_PROGRESS} (producers retry), those arriving meanwhile wait,
     * and the new instance asks the controller for a fresh block.
     */
    static Behavior<Command> create(ActorRef<Controller.Command> controller, int brokerId, Timing timing) {
        Behavior<Command> manager = Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new ProducerIdBehavior(context, timers, controller, brokerId, timing).start()));
        return Behaviors.supervise(manager)
                .onFailure(
                        RuntimeException.class,
                        SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2));
    }
}
