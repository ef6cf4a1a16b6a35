package io.varve.transport.api.admin;

import io.varve.metadata.Ask;
import io.varve.transport.api.BrokerServices;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the admin handlers talk to actors: one {@code ask} with the node's {@code askTimeout}, and one
 * place that turns an ask's failure into Kafka's error (a timeout is {@code REQUEST_TIMED_OUT}, as
 * Kafka answers when the controller does not reply in time). Stateless; safe from any thread.
 */
public final class AdminAsk {
    private static final Logger LOG = LoggerFactory.getLogger(AdminAsk.class);

    private AdminAsk() {}

    public static <T, R> CompletionStage<R> ask(
            ActorRef<T> target, Function<ActorRef<R>, T> message, BrokerServices services) {
        return Ask.ask(target, message::apply, services.settings().askTimeout(), services.scheduler());
    }

    /** The Kafka error for a failed ask, with a message naming {@code what} did not answer. */
    public static ApiError errorOf(Throwable failure, String what, BrokerServices services) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof TimeoutException) {
            return new ApiError(
                    Errors.REQUEST_TIMED_OUT,
                    what + " did not answer within "
                            + services.settings().askTimeout().toMillis() + " ms");
        }
        if (!(cause instanceof ApiException)) {
            LOG.warn("{} failed unexpectedly", what, cause);
        }
        return new ApiError(Errors.forException(cause), cause.getMessage());
    }
}
