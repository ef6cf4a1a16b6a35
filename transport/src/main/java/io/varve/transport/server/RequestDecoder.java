package io.varve.transport.server;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.HandlerRegistry;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Turns one request frame into a request for a handler, with kafka-clients' codec:
 *
 * <pre>
 *   frame: | api_key int16 | api_version int16 | correlation_id int32 | client_id | [tags] | body |
 * </pre>
 *
 * An unknown or unserved API key, an unsupported version, or bytes that do not parse are {@link
 * Invalid} (the connection closes, like Kafka). The exception is ApiVersions at a version newer than
 * ours: it is answered with our ranges as a v0 response (KIP-511), so a newer client can downgrade.
 * Stateless.
 */
final class RequestDecoder {
    private static final int FIXED_HEADER_BYTES = 8;

    private final HandlerRegistry registry;

    sealed interface Decoded {}

    record Parsed(RequestHeader header, AbstractRequest request, ApiHandler handler) implements Decoded {}

    record UnsupportedApiVersions(int correlationId, short version) implements Decoded {}

    record Invalid(String reason) implements Decoded {}

    RequestDecoder(HandlerRegistry registry) {
        this.registry = registry;
    }

    Decoded decode(ByteBuffer frame) {
        if (frame.remaining() < FIXED_HEADER_BYTES) {
            return new Invalid("frame of " + frame.remaining() + " bytes is too short for a request header");
        }
        short apiKeyId = frame.getShort(frame.position());
        short version = frame.getShort(frame.position() + 2);
        if (!ApiKeys.hasId(apiKeyId)) {
            return new Invalid("unknown API key " + apiKeyId);
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        ApiHandler handler = registry.handler(apiKey).orElse(null);
        if (handler == null) {
            return new Invalid("API key " + apiKeyId + " (" + apiKey + ") is not served by this broker");
        }
        if (!registry.isSupported(apiKey, version)) {
            if (apiKey == ApiKeys.API_VERSIONS && version > handler.maxVersion()) {
                return new UnsupportedApiVersions(frame.getInt(frame.position() + 4), version);
            }
            return new Invalid("unsupported version " + version + " of " + apiKey + " (supported "
                    + handler.minVersion() + "-" + handler.maxVersion() + ")");
        }
        return parse(frame, apiKey, version, handler);
    }

    private static Decoded parse(ByteBuffer frame, ApiKeys apiKey, short version, ApiHandler handler) {
        try {
            RequestHeader header = RequestHeader.parse(frame);
            AbstractRequest request =
                    AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(frame)).request;
            return new Parsed(header, request, handler);
        } catch (RuntimeException e) {
            return new Invalid("malformed " + apiKey + " v" + version + " request: " + e);
        }
    }
}
