package io.varve.txn.pid;

import io.varve.metadata.Controller;
import io.varve.txn.pid.ProducerIdManager.BlockReceived;
import io.varve.txn.pid.ProducerIdManager.Command;
import io.varve.txn.pid.ProducerIdManager.GenerateProducerId;
import io.varve.txn.pid.ProducerIdManager.GeneratedProducerId;
import io.varve.txn.pid.ProducerIdManager.RetryFetch;
import io.varve.txn.pid.ProducerIdManager.Timing;
import java.util.ArrayDeque;
import java.util.OptionalLong;
import java.util.Queue;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The {@link ProducerIdManager}'s behavior: serves ids from {@link ProducerIdBlocks}, keeps at most
 * one {@code AllocateProducerIds} in flight, queues requests while no id is left and retries the
 * controller with backoff. Runs on the default dispatcher; it never blocks.
 */
final class ProducerIdBehavior extends AbstractBehavior<Command> {
    private static final Object RETRY_TIMER = RetryFetch.class;

    private final TimerScheduler<Command> timers;
    private final ActorRef<Controller.Command> controller;
    private final int brokerId;
    private final Timing timing;
    private final ProducerIdBlocks blocks = new ProducerIdBlocks();
    private final Queue<ActorRef<GeneratedProducerId>> waiting = new ArrayDeque<>();
    private boolean fetchInFlight;
    private int failures;

    ProducerIdBehavior(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            ActorRef<Controller.Command> controller,
            int brokerId,
            Timing timing) {
        super(context);
        this.timers = timers;
        this.controller = controller;
        this.brokerId = brokerId;
        this.timing = timing;
    }

    Behavior<Command> start() {
        fetch();
        return this;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(GenerateProducerId.class, this::onGenerateProducerId)
                .onMessage(BlockReceived.class, this::onBlockReceived)
                .onMessage(RetryFetch.class, this::onRetryFetch)
                .onSignal(PreRestart.class, signal -> onTerminated())
                .onSignal(PostStop.class, signal -> onTerminated())
                .build();
    }

    /** Restarting or stopping: the waiting requests are answered now (producers retry), not left to time out. */
    private Behavior<Command> onTerminated() {
        answerUnavailable();
        return this;
    }

    private void answerUnavailable() {
        while (!waiting.isEmpty()) {
            waiting.poll().tell(new GeneratedProducerId(-1L, Errors.COORDINATOR_LOAD_IN_PROGRESS));
        }
    }

    private boolean isUnavailable() {
        return failures >= timing.failuresBeforeAnswering();
    }

    private Behavior<Command> onGenerateProducerId(GenerateProducerId generate) {
        OptionalLong id = waiting.isEmpty() ? blocks.nextId() : OptionalLong.empty();
        if (id.isPresent()) {
            generate.replyTo().tell(new GeneratedProducerId(id.getAsLong(), Errors.NONE));
        } else if (isUnavailable()) {
            generate.replyTo().tell(new GeneratedProducerId(-1L, Errors.COORDINATOR_LOAD_IN_PROGRESS));
        } else {
            waiting.add(generate.replyTo());
        }
        maybeFetch();
        return this;
    }

    private void maybeFetch() {
        if (!fetchInFlight && !timers.isTimerActive(RETRY_TIMER) && blocks.shouldFetch()) {
            fetch();
        }
    }

    private void fetch() {
        fetchInFlight = true;
        getContext()
                .ask(
                        Controller.ProducerIdBlock.class,
                        controller,
                        timing.askTimeout(),
                        replyTo -> new Controller.AllocateProducerIds(brokerId, replyTo),
                        BlockReceived::new);
    }

    private Behavior<Command> onBlockReceived(BlockReceived received) {
        fetchInFlight = false;
        Controller.ProducerIdBlock block = received.block();
        String refused;
        if (received.failure() != null) {
            refused = "no answer from the controller: " + received.failure().getMessage();
        } else if (block.error() != Errors.NONE) {
            refused = "controller answered " + block.error();
        } else {
            refused = blocks.add(block.firstProducerId(), block.size());
        }
        if (refused != null) {
            onFetchFailed(refused);
        } else {
            failures = 0;
            getContext()
                    .getLog()
                    .debug("producer id block {}+{} for broker {}", block.firstProducerId(), block.size(), brokerId);
            answerWaiting();
            maybeFetch();
        }
        return this;
    }

    private void answerWaiting() {
        while (!waiting.isEmpty()) {
            OptionalLong id = blocks.nextId();
            if (id.isEmpty()) {
                return;
            }
            waiting.poll().tell(new GeneratedProducerId(id.getAsLong(), Errors.NONE));
        }
    }

    private void onFetchFailed(String reason) {
        failures++;
        getContext()
                .getLog()
                .warn("producer id block for broker {} failed ({} in a row): {}", brokerId, failures, reason);
        if (isUnavailable()) {
            answerUnavailable();
        }
        timers.startSingleTimer(RETRY_TIMER, new RetryFetch(), timing.backoff(failures));
    }

    private Behavior<Command> onRetryFetch(RetryFetch retry) {
        if (!fetchInFlight && (blocks.shouldFetch() || !waiting.isEmpty())) {
            fetch();
        }
        return this;
    }
}
