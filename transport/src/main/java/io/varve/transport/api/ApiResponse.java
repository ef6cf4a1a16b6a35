package io.varve.transport.api;

import org.apache.kafka.common.protocol.ApiMessage;

/**
 * A handler's answer: the response body ({@code *ResponseData}), or none (Produce with acks=0).
 * Record sections in the body that are file slices are written with {@code sendfile}.
 */
public record ApiResponse(ApiMessage body) {
    public static final ApiResponse NONE = new ApiResponse(null);

    public boolean hasBody() {
        return body != null;
    }
}
