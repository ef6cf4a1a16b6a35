package io.varve.transport.api.meta;

import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.ApiResponse;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.RequestContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.FinalizedFeatureKeyCollection;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKey;
import org.apache.kafka.common.message.ApiVersionsResponseData.SupportedFeatureKeyCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions: the API keys and version ranges of the {@link HandlerRegistry}, plus the {@code
 * metadata.version} feature as Kafka 4.x reports it (supported range and finalized level, v3+), and
 * {@code transaction.version} (supported 0–2, finalized at {@code varve.txn.transaction-version}
 * when the node runs transaction coordinators; Kafka 4 clients use KIP-890's protocol at level 2).
 * kafka-clients does not ship {@code MetadataVersion}, so the levels are constants: 7 is Kafka's
 * minimum ({@code 3.3-IV3}), 30 is {@code 4.3-IV0}, the newest production level we verified in
 * Kafka 4.3.1's {@code server-common}. The finalized-features epoch is the metadata image offset.
 *
 * <p>Stateless; an invalid v3+ request (bad client software name/version) gets INVALID_REQUEST and no
 * key ranges, as from Kafka.
 */
public final class ApiVersionsHandler implements ApiHandler {
    public static final String METADATA_VERSION_FEATURE = "metadata.version";
    public static final short MIN_METADATA_VERSION_LEVEL = 7;
    public static final short METADATA_VERSION_LEVEL = 30;
    public static final String TRANSACTION_VERSION_FEATURE = "transaction.version";
    public static final short MAX_TRANSACTION_VERSION = 2;

    private final HandlerRegistry registry;

    public ApiVersionsHandler(HandlerRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.API_VERSIONS;
    }

    @Override
    public CompletionStage<ApiResponse> handle(RequestContext context, AbstractRequest request) {
        ApiVersionsRequest apiVersionsRequest = (ApiVersionsRequest) request;
        if (!apiVersionsRequest.isValid()) {
            // as Kafka: the error alone, without the key ranges
            ApiVersionsResponseData invalid = new ApiVersionsResponseData().setErrorCode(Errors.INVALID_REQUEST.code());
            return CompletableFuture.completedFuture(new ApiResponse(invalid));
        }
        short transactionVersion = context.services().transactions() == null
                ? 0
                : context.services().transactions().settings().transactionVersion();
        ApiVersionsResponseData data = response(Errors.NONE, registry)
                .setSupportedFeatures(supportedFeatures())
                .setFinalizedFeaturesEpoch(context.services().metadata().image().offset())
                .setFinalizedFeatures(finalizedFeatures(transactionVersion));
        return CompletableFuture.completedFuture(new ApiResponse(data));
    }

    /** The key ranges with {@code error}; also the KIP-511 answer to an unsupported ApiVersions version. */
    public static ApiVersionsResponseData response(Errors error, HandlerRegistry registry) {
        ApiVersionCollection keys = new ApiVersionCollection();
        for (ApiHandler handler : registry.handlers()) {
            keys.add(new ApiVersion()
                    .setApiKey(handler.apiKey().id)
                    .setMinVersion(handler.minVersion())
                    .setMaxVersion(handler.maxVersion()));
        }
        return new ApiVersionsResponseData().setErrorCode(error.code()).setApiKeys(keys);
    }

    private static SupportedFeatureKeyCollection supportedFeatures() {
        SupportedFeatureKeyCollection features = new SupportedFeatureKeyCollection();
        features.add(new SupportedFeatureKey()
                .setName(METADATA_VERSION_FEATURE)
                .setMinVersion(MIN_METADATA_VERSION_LEVEL)
                .setMaxVersion(METADATA_VERSION_LEVEL));
        features.add(new SupportedFeatureKey()
                .setName(TRANSACTION_VERSION_FEATURE)
                .setMinVersion((short) 0)
                .setMaxVersion(MAX_TRANSACTION_VERSION));
        return features;
    }

    /** A feature finalized at level 0 is absent, as Kafka reports it. */
    private static FinalizedFeatureKeyCollection finalizedFeatures(short transactionVersion) {
        FinalizedFeatureKeyCollection features = new FinalizedFeatureKeyCollection();
        features.add(new FinalizedFeatureKey()
                .setName(METADATA_VERSION_FEATURE)
                .setMinVersionLevel(METADATA_VERSION_LEVEL)
                .setMaxVersionLevel(METADATA_VERSION_LEVEL));
        if (transactionVersion > 0) {
            features.add(new FinalizedFeatureKey()
                    .setName(TRANSACTION_VERSION_FEATURE)
                    .setMinVersionLevel(transactionVersion)
                    .setMaxVersionLevel(transactionVersion));
        }
        return features;
    }
}
