package io.varve.metadata;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.dispatch.ExecutionContexts;
import scala.concurrent.ExecutionContextExecutor;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;

/**
 * Pekko's {@code ask} for every module (handlers, coordinators, stream stages), answered on the thread that replies.
 *
 * <p>{@code AskPattern.ask} returns Scala's {@code CompletionStage} view of a Scala future, whose
 * {@code thenApply}, {@code handle} and {@code whenComplete} are all turned into their {@code
 * *Async} forms on {@code CompletableFuture}'s default executor. That executor is the common
 * fork-join pool, or, where the pool has a parallelism of 1 (every 2-CPU machine), a new thread per
 * callback: a thread hop (or a thread start) for every reply of every request. The future returned
 * here is a plain {@code CompletableFuture} completed directly by the reply (or the ask's timeout),
 * so the handler's non-async stages run on the replying actor's thread. They must not block.
 */
public final class Ask {
    /** Runs callbacks on the thread that completes the future; for callbacks that never block. */
    public static final ExecutionContextExecutor INLINE = ExecutionContexts.fromExecutor((Executor) Runnable::run);

    private Ask() {}

    /**
     * Sends {@code message(replyTo)} to {@code target}; completes with the reply, or exceptionally
     * with a {@code TimeoutException} after {@code timeout}.
     */
    public static <T, R> CompletableFuture<R> ask(
            RecipientRef<T> target, Function<ActorRef<R>, T> message, Duration timeout, Scheduler scheduler) {
        return inline(AskPattern.ask(target, message::apply, timeout, scheduler));
    }

    /**
     * {@code stage}'s outcome as a plain {@code CompletableFuture} completed on the thread that
     * completes {@code stage}, for the stages Pekko's Java API hands out (an ask, a stream's
     * materialized value such as {@code Sink.seq}'s): theirs run every non-async callback on the
     * default executor (the class comment). Callbacks on the result must not block.
     */
    public static <T> CompletableFuture<T> inline(CompletionStage<T> stage) {
        CompletableFuture<T> answer = new CompletableFuture<>();
        // asScala unwraps the stage to the Scala future behind it, whose callback then runs inline
        FutureConverters.asScala(stage).onComplete((Try<T> outcome) -> complete(answer, outcome), INLINE);
        return answer;
    }

    private static <R> boolean complete(CompletableFuture<R> answer, Try<R> reply) {
        return reply.isSuccess()
                ? answer.complete(reply.get())
                : answer.completeExceptionally(reply.failed().get());
    }
}
