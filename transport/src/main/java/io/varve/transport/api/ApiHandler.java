package io.varve.transport.api;

import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The handler of one Kafka API key. Stateless: it checks the request, fans out to actors with
 * {@code ask} (explicit timeouts) and builds the response body. Called on the connection's thread;
 * it must not block. Whole-request failures use kafka-clients' {@code getErrorResponse}.
 */
public interface ApiHandler {
    ApiKeys apiKey();

    /** The lowest version answered (Kafka 4.x's baseline, KIP-896). */
    default short minVersion() {
        return apiKey().oldestVersion();
    }

    /** The highest version answered; advertised by ApiVersions. */
    default short maxVersion() {
        return apiKey().latestVersion();
    }

    CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request);
}
