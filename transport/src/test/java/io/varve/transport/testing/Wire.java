package io.varve.transport.testing;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * A handler's body through kafka-clients' own codec at one version, as the listener encodes it and a
 * client of that version decodes it. Encoding throws {@code UnsupportedVersionException} for a field
 * the version does not have, exactly as the listener would (and then answer UNKNOWN_SERVER_ERROR).
 */
public final class Wire {
    private Wire() {}

    /** {@code body} encoded and decoded again at {@code version}. */
    @SuppressWarnings("unchecked")
    public static <T extends ApiMessage> T roundTrip(T body, short version) {
        ByteBuffer buffer = encode(body, version);
        return (T) AbstractResponse.parseResponse(ApiKeys.forId(body.apiKey()), new ByteBufferAccessor(buffer), version)
                .data();
    }

    /** A request body at {@code version}, parsed as the listener parses it. */
    @SuppressWarnings("unchecked")
    public static <R extends AbstractRequest> R request(ApiMessage body, short version) {
        ByteBuffer buffer = encode(body, version);
        return (R) AbstractRequest.parseRequest(ApiKeys.forId(body.apiKey()), version, new ByteBufferAccessor(buffer))
                .request;
    }

    private static ByteBuffer encode(ApiMessage body, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        ByteBuffer buffer = ByteBuffer.allocate(body.size(cache, version));
        body.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.flip();
    }
}
