package io.varve.txn.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
 * {@code ask} completing a plain {@link CompletableFuture} on the replying thread (the shared
 * pitfall: Pekko's Java ask runs non-async stages on a thread per task when the common pool has
 * one thread). Callbacks on the result must not block. Stateless.
 */
public final class Asks {
    /** Runs callbacks and scheduled tasks on the calling thread; for ones that never block. */
    public static final ExecutionContextExecutor INLINE = ExecutionContexts.fromExecutor((Executor) Runnable::run);

    private Asks() {}

    /** {@code message(replyTo)} to {@code target}; fails with a {@code TimeoutException} after {@code timeout}. */
    public static <T, R> CompletableFuture<R> ask(
            RecipientRef<T> target, Function<ActorRef<R>, T> message, Duration timeout, Scheduler scheduler) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        FutureConverters.asScala(AskPattern.ask(target, message::apply, timeout, scheduler))
                .onComplete(
                        (Try<R> reply) -> reply.isSuccess()
                                ? answer.complete(reply.get())
                                : answer.completeExceptionally(reply.failed().get()),
                        INLINE);
        return answer;
    }
}
