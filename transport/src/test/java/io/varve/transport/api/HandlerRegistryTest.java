package io.varve.transport.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.varve.transport.api.meta.ApiVersionsHandler;
import io.varve.transport.api.meta.MetadataHandler;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {

    @Test
    void mapsEachKeyToItsHandlerAndAddsApiVersions() {
        HandlerRegistry registry = HandlerRegistry.of(CoreHandlers.list());

        assertThat(registry.handlers())
                .extracting(ApiHandler::apiKey)
                .containsExactly(
                        ApiKeys.PRODUCE,
                        ApiKeys.FETCH,
                        ApiKeys.LIST_OFFSETS,
                        ApiKeys.METADATA,
                        ApiKeys.API_VERSIONS,
                        ApiKeys.INIT_PRODUCER_ID,
                        ApiKeys.OFFSET_FOR_LEADER_EPOCH);
        assertThat(registry.handler(ApiKeys.API_VERSIONS)).get().isInstanceOf(ApiVersionsHandler.class);
        assertThat(registry.handler(ApiKeys.JOIN_GROUP)).isEmpty();
    }

    @Test
    void supportsOnlyTheHandlersVersionRange() {
        HandlerRegistry registry = HandlerRegistry.of(CoreHandlers.list());

        assertThat(registry.isSupported(ApiKeys.FETCH, ApiKeys.FETCH.latestVersion()))
                .isTrue();
        assertThat(registry.isSupported(ApiKeys.FETCH, (short) (ApiKeys.FETCH.latestVersion() + 1)))
                .isFalse();
        assertThat(registry.isSupported(ApiKeys.FETCH, (short) (ApiKeys.FETCH.oldestVersion() - 1)))
                .isFalse();
        assertThat(registry.isSupported(ApiKeys.JOIN_GROUP, (short) 0)).isFalse();
    }

    @Test
    void rejectsTwoHandlersForOneKey() {
        assertThatThrownBy(() -> HandlerRegistry.of(List.of(new MetadataHandler(), new MetadataHandler())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two handlers for METADATA");
    }
}
