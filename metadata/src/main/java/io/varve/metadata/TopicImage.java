package io.varve.metadata;

import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic in the metadata image: name, id, partitions by index, and the topic-level config
 * overrides (Kafka names, e.g. {@code retention.ms}); unset keys take the broker defaults.
 */
public record TopicImage(
        String name, Uuid topicId, Map<Integer, PartitionRegistration> partitions, Map<String, String> configs)
        implements VarveSerializable {}
