package io.varve.transport.api;

import io.varve.transport.api.fetch.FetchHandler;
import io.varve.transport.api.fetch.FetchSessionCache;
import io.varve.transport.api.fetch.ListOffsetsHandler;
import io.varve.transport.api.fetch.OffsetsForLeaderEpochHandler;
import io.varve.transport.api.meta.MetadataHandler;
import io.varve.transport.api.produce.InitProducerIdHandler;
import io.varve.transport.api.produce.ProduceHandler;
import java.util.List;

/**
 * The data-path handlers: Metadata, Produce, Fetch, ListOffsets, OffsetsForLeaderEpoch and
 * InitProducerId (ApiVersions is added by {@link HandlerRegistry}). Call once per node: the Fetch
 * handler gets a new node-wide {@link FetchSessionCache}.
 */
public final class CoreHandlers {
    private CoreHandlers() {}

    public static List<ApiHandler> list() {
        return list(new FetchSessionCache());
    }

    public static List<ApiHandler> list(FetchSessionCache fetchSessions) {
        return List.of(
                new MetadataHandler(),
                new ProduceHandler(),
                new FetchHandler(fetchSessions),
                new ListOffsetsHandler(),
                new OffsetsForLeaderEpochHandler(),
                new InitProducerIdHandler());
    }
}
