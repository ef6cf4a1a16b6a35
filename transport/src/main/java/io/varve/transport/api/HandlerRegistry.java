package io.varve.transport.api;

import io.varve.transport.api.meta.ApiVersionsHandler;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The node's handlers by API key, built once from an explicit list and shared (read-only) by every
 * connection. ApiVersions is not in the list: the registry adds its own {@link ApiVersionsHandler},
 * which advertises exactly the keys and version ranges registered here.
 */
public final class HandlerRegistry {
    private final Map<ApiKeys, ApiHandler> handlers;

    private HandlerRegistry(Map<ApiKeys, ApiHandler> handlers) {
        this.handlers = handlers;
    }

    /** Throws {@link IllegalArgumentException} on two handlers for one key or an ApiVersions handler. */
    public static HandlerRegistry of(List<ApiHandler> handlers) {
        EnumMap<ApiKeys, ApiHandler> byKey = new EnumMap<>(ApiKeys.class);
        for (ApiHandler handler : handlers) {
            ApiKeys key = handler.apiKey();
            if (key == ApiKeys.API_VERSIONS) {
                throw new IllegalArgumentException("ApiVersions is computed by the registry; do not register it");
            }
            if (byKey.putIfAbsent(key, handler) != null) {
                throw new IllegalArgumentException("two handlers for " + key + ": " + byKey.get(key) + ", " + handler);
            }
        }
        HandlerRegistry registry = new HandlerRegistry(byKey);
        byKey.put(ApiKeys.API_VERSIONS, new ApiVersionsHandler(registry));
        return registry;
    }

    public Optional<ApiHandler> handler(ApiKeys apiKey) {
        return Optional.ofNullable(handlers.get(apiKey));
    }

    /** Every handler, in API key order. */
    public Collection<ApiHandler> handlers() {
        return Collections.unmodifiableCollection(handlers.values());
    }

    /** Whether {@code version} of {@code apiKey} is answered here. */
    public boolean isSupported(ApiKeys apiKey, short version) {
        ApiHandler handler = handlers.get(apiKey);
        return handler != null && version >= handler.minVersion() && version <= handler.maxVersion();
    }
}
