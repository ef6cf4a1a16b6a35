package io.varve.transport.api;

import io.varve.storage.log.LogConfig;
import java.util.Map;

/**
 * Topic configuration as the broker sees it: Kafka's defaults, overridden by the broker's static
 * defaults ({@code varve.log.*} in HOCON, under Kafka's {@code log.*} names), overridden by a
 * topic's own overrides. Used by DescribeConfigs to report each value's source and by the replica
 * manager to build each partition's {@link LogConfig}.
 *
 * @param brokerDefaults topic config name → value from the broker's static configuration
 */
public record TopicConfigs(Map<String, String> brokerDefaults) {

    /** The effective config of a topic with {@code overrides}; throws Kafka's ConfigException. */
    public LogConfig effective(Map<String, String> overrides) {
        return LogConfig.fromMap(brokerDefaults).with(overrides);
    }
}
