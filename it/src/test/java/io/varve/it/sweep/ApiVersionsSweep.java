package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * ApiVersions v0+: every version answers the same key ranges (the ones the sweep runs against); from
 * v3 the client names its software, and an illegal name gets INVALID_REQUEST and no ranges, as from
 * Kafka (KIP-511).
 */
final class ApiVersionsSweep implements VersionScenario {
    private final Map<Short, String> advertised;

    /** {@code advertised}: key id to "min-max", as the newest ApiVersions answered. */
    ApiVersionsSweep(Map<Short, String> advertised) {
        this.advertised = advertised;
    }

    @Override
    public void run(SweepContext sweep, short version) throws Exception {
        ApiVersionsRequestData request = new ApiVersionsRequestData();
        if (version >= 3) {
            request.setClientSoftwareName("varve-sweep").setClientSoftwareVersion("1.0.0");
        }
        ApiVersionsResponse answer = sweep.client().send(ApiKeys.API_VERSIONS, version, request);
        assertThat(Errors.forCode(answer.data().errorCode())).isEqualTo(Errors.NONE);
        assertThat(ranges(answer)).isEqualTo(advertised);
        if (version >= 3) {
            ApiVersionsResponse invalid = sweep.client()
                    .send(
                            ApiKeys.API_VERSIONS,
                            version,
                            new ApiVersionsRequestData()
                                    .setClientSoftwareName("illegal name!")
                                    .setClientSoftwareVersion("1.0.0"));
            assertThat(Errors.forCode(invalid.data().errorCode())).isEqualTo(Errors.INVALID_REQUEST);
            assertThat(ranges(invalid)).isEmpty(); // Kafka lists the ranges only for a too-new version
        }
    }

    static Map<Short, String> ranges(ApiVersionsResponse answer) {
        Map<Short, String> ranges = new TreeMap<>();
        for (ApiVersion key : answer.data().apiKeys()) {
            ranges.put(key.apiKey(), key.minVersion() + "-" + key.maxVersion());
        }
        return ranges;
    }
}
