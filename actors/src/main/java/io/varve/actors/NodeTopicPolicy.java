package io.varve.actors;

import io.varve.metadata.TopicPolicy;
import io.varve.transport.api.TopicConfigs;
import io.varve.transport.api.admin.configs.BrokerConfigNames;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The controller's {@link TopicPolicy} on this node's topic configs: overrides are valid when the
 * storage module's LogConfig accepts them; unclean leader election follows Kafka's precedence (topic
 * override, dynamic broker config, {@code varve.log.unclean-leader-election}, Kafka's default false).
 * Immutable and thread-safe.
 */
record NodeTopicPolicy(TopicConfigs topicConfigs) implements TopicPolicy {

    @Override
    public Optional<String> validate(Map<String, String> overrides) {
        try {
            topicConfigs.effective(overrides);
            return Optional.empty();
        } catch (ConfigException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public boolean uncleanLeaderElection(Map<String, String> topicOverrides, Map<String, String> brokerConfigs) {
        Map<String, String> overrides = new HashMap<>(BrokerConfigNames.topicDefaults(brokerConfigs));
        overrides.putAll(topicOverrides);
        try {
            return Boolean.TRUE.equals(
                    topicConfigs.effective(overrides).values().get(TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG));
        } catch (ConfigException e) {
            return false;
        }
    }
}
