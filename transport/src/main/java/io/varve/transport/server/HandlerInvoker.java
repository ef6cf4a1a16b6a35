package io.varve.transport.server;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a handler's unexpected failure (a thrown exception or error such as a
 * {@code StackOverflowError}, a failed stage or a missing answer) becomes the request's own {@code
 * getErrorResponse(UNKNOWN_SERVER_ERROR)}, with a log line. Every request so gets an answer, which
 * also gives its memory back to the node's budget. Client-caused errors never come here: handlers
 * return them as Kafka error codes.
 */
final class HandlerInvoker {
    private static final Logger log = LoggerFactory.getLogger(HandlerInvoker.class);

    private HandlerInvoker() {}

    /** The handler's answer; the returned stage never fails. */
    static CompletionStage<ApiResponse> invoke(ApiHandler handler, RequestContext context, AbstractRequest request) {
        CompletionStage<ApiResponse> stage;
        try {
            stage = handler.handle(context, request);
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((response, failure) -> {
            if (failure == null && response != null) {
                return response;
            }
            Throwable cause = failure != null ? failure : new IllegalStateException("handler returned null");
            return unexpected(context, request, cause);
        });
    }

    static ApiResponse unexpected(RequestContext context, AbstractRequest request, Throwable cause) {
        log.error(
                "Unexpected failure in {} v{} (correlation id {}) from {}; answering UNKNOWN_SERVER_ERROR",
                request.apiKey(),
                request.version(),
                context.header().correlationId(),
                context.clientAddress(),
                cause);
        return new ApiResponse(request.getErrorResponse(Errors.UNKNOWN_SERVER_ERROR.exception())
                .data());
    }
}
