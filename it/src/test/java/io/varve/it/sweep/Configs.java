package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsResponse;

/** Reading configs back for the config scenarios (DescribeConfigs v4). */
final class Configs {
    /** DescribeConfigs config sources, as numbered on the wire. */
    static final byte TOPIC_CONFIG = 1;

    static final byte DYNAMIC_BROKER_CONFIG = 2;
    static final byte DYNAMIC_DEFAULT_BROKER_CONFIG = 3;
    static final byte DEFAULT_CONFIG = 5;
    static final byte GROUP_CONFIG = 8;

    private Configs() {}

    /**
     * Waits until {@code key} on the resource reads "value@source" {@code expected} (at once on Varve;
     * a Kafka broker applies config changes from its metadata log a little later), then asserts it.
     */
    static void awaitConfig(SweepContext sweep, ConfigResource.Type type, String name, String key, String expected)
            throws Exception {
        Conditions.awaitTrue(Duration.ofSeconds(15), () -> expected.equals(describe(sweep, type, name, key)));
        assertThat(describe(sweep, type, name, key))
                .as("%s of %s %s", key, type, name)
                .isEqualTo(expected);
    }

    /** "value@source" of {@code key} on the resource. */
    static String describe(SweepContext sweep, ConfigResource.Type type, String name, String key) throws Exception {
        DescribeConfigsResult result = describeResult(sweep, (short) 4, type, name, List.of(key), false, false);
        assertThat(Errors.forCode(result.errorCode())).as("%s", result).isEqualTo(Errors.NONE);
        List<String> found = new ArrayList<>();
        for (DescribeConfigsResourceResult config : result.configs()) {
            if (config.name().equals(key)) {
                found.add(config.value() + "@" + config.configSource());
            }
        }
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    static DescribeConfigsResult describeResult(
            SweepContext sweep,
            short version,
            ConfigResource.Type type,
            String name,
            List<String> keys,
            boolean synonyms,
            boolean documentation)
            throws Exception {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData()
                .setResources(List.of(new DescribeConfigsResource()
                        .setResourceType(type.id())
                        .setResourceName(name)
                        .setConfigurationKeys(keys)))
                .setIncludeSynonyms(synonyms);
        if (version >= 3) {
            request.setIncludeDocumentation(documentation);
        }
        DescribeConfigsResponse answer = sweep.client().send(ApiKeys.DESCRIBE_CONFIGS, version, request);
        assertThat(answer.data().results()).hasSize(1);
        DescribeConfigsResult result = answer.data().results().get(0);
        assertThat(result.resourceName()).isEqualTo(name);
        assertThat(result.resourceType()).isEqualTo(type.id());
        return result;
    }
}
