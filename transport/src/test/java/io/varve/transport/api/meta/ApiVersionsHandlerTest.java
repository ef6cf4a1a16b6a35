package io.varve.transport.api.meta;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.testing.TestBroker;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ApiVersionsHandlerTest {
    private static final ActorTestKit testKit = ActorTestKit.create();
    private final TestBroker broker = new TestBroker(testKit, false);
    private final HandlerRegistry registry = HandlerRegistry.of(CoreHandlers.list());
    private final ApiVersionsHandler handler =
            (ApiVersionsHandler) registry.handler(ApiKeys.API_VERSIONS).orElseThrow();

    @AfterAll
    static void shutdown() {
        testKit.shutdownTestKit();
    }

    @Test
    void advertisesEveryRegisteredKeyWithinKafkaClientsRange() {
        ApiVersionsResponseData data =
                TestBroker.body(broker.call(handler, request(ApiKeys.API_VERSIONS.latestVersion())));

        assertThat(data.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(data.apiKeys()).hasSize(7);
        for (ApiVersion version : data.apiKeys()) {
            ApiKeys key = ApiKeys.forId(version.apiKey());
            assertThat(registry.handler(key)).isPresent();
            assertThat(version.minVersion()).isGreaterThanOrEqualTo(key.oldestVersion());
            assertThat(version.maxVersion()).isLessThanOrEqualTo(key.latestVersion());
            assertThat(version.minVersion()).isLessThanOrEqualTo(version.maxVersion());
        }
        assertThat(data.apiKeys().find(ApiKeys.FETCH.id).maxVersion()).isEqualTo(ApiKeys.FETCH.latestVersion());
    }

    @Test
    void reportsMetadataVersionFeatureAsKafka4() {
        ApiVersionsResponseData data = TestBroker.body(broker.call(handler, request((short) 4)));

        assertThat(data.supportedFeatures().find("metadata.version").minVersion())
                .isEqualTo((short) 7);
        assertThat(data.supportedFeatures().find("metadata.version").maxVersion())
                .isEqualTo((short) 30);
        assertThat(data.finalizedFeatures().find("metadata.version").maxVersionLevel())
                .isEqualTo((short) 30);
        assertThat(data.finalizedFeatures().find("metadata.version").minVersionLevel())
                .isEqualTo((short) 30);
        assertThat(data.finalizedFeaturesEpoch()).isEqualTo(broker.image().offset());
    }

    @Test
    void answersInvalidClientSoftwareNameWithInvalidRequest() {
        ApiVersionsRequest invalid = new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("bad name!").setClientSoftwareVersion("1.0"),
                (short) 3);

        ApiVersionsResponseData data = TestBroker.body(broker.call(handler, invalid));

        assertThat(data.errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
        // Kafka's getErrorResponse: no key ranges (they are listed only for a too-new version)
        assertThat(data.apiKeys()).isEmpty();
    }

    private static ApiVersionsRequest request(short version) {
        return new ApiVersionsRequest(
                new ApiVersionsRequestData().setClientSoftwareName("varve-test").setClientSoftwareVersion("1.0"),
                version);
    }
}
