package io.varve.connectors.internal;

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
 * Pekko's {@code ask}, answered as a plain {@link CompletableFuture} completed on the replying
 * actor's thread. Pekko's javadsl stage would run every continuation on the JDK's default executor,
 * which on a 2-CPU machine starts a thread per callback (docs/architecture.md §1). Continuations
 * must not block; stream stages hand the answer to their own thread with an async callback.
 */
public final class Asks {
    private static final ExecutionContextExecutor INLINE = ExecutionContexts.fromExecutor((Executor) Runnable::run);

    private Asks() {}

    /** Completes with the reply, or exceptionally with a {@code TimeoutException} after {@code timeout}. */
    public static <T, R> CompletableFuture<R> ask(
            RecipientRef<T> target, Function<ActorRef<R>, T> message, Duration timeout, Scheduler scheduler) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        FutureConverters.asScala(AskPattern.ask(target, message::apply, timeout, scheduler))
                .onComplete((Try<R> reply) -> complete(answer, reply), INLINE);
        return answer;
    }

    private static <R> boolean complete(CompletableFuture<R> answer, Try<R> reply) {
        return reply.isSuccess()
                ? answer.complete(reply.get())
                : answer.completeExceptionally(reply.failed().get());
    }
}
