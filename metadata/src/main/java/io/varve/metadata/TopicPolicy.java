package io.varve.metadata;

import java.util.Map;
import java.util.Optional;

/**
 * What the controller needs to know about topic configs, which the storage module defines: whether
 * a set of overrides is valid, and whether a topic allows unclean leader election. The node builds
 * it on LogConfig (topic override, then dynamic broker config, then {@code varve.log.*}, then Kafka's
 * default). Thread-safe and side-effect free.
 */
public interface TopicPolicy {
    /** An error message for invalid topic config overrides (answered INVALID_CONFIG), or empty. */
    Optional<String> validate(Map<String, String> overrides);

    /** Kafka's {@code unclean.leader.election.enable} for a topic with these overrides. */
    boolean uncleanLeaderElection(Map<String, String> topicOverrides, Map<String, String> brokerConfigs);
}
