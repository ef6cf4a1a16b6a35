package io.varve.transport.api.group;

import io.varve.group.CommittedOffset;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.TopicImage;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The per-partition checks OffsetCommit and TxnOffsetCommit share, as Kafka makes them: a partition
 * of an unknown topic is UNKNOWN_TOPIC_OR_PARTITION, metadata longer than
 * {@code offset.metadata.max.bytes} (in UTF-8) is OFFSET_METADATA_TOO_LARGE; the rest become
 * {@link CommittedOffset}s stamped with the topic's current id. One instance per request, filled and
 * read on the handler's thread.
 */
public final class OffsetCommitValidation {
    private final MetadataImage image;
    private final int offsetMetadataMaxBytes;
    private final Map<TopicPartition, Errors> errors = new HashMap<>();
    private final Map<TopicPartition, CommittedOffset> valid = new HashMap<>();

    public OffsetCommitValidation(MetadataImage image, int offsetMetadataMaxBytes) {
        this.image = image;
        this.offsetMetadataMaxBytes = offsetMetadataMaxBytes;
    }

    /** Checks one partition's offset; a null {@code metadata} is stored as the empty string. */
    public void add(String topic, int partitionIndex, long offset, int leaderEpoch, String metadata) {
        TopicPartition partition = new TopicPartition(topic, partitionIndex);
        String text = metadata == null ? "" : metadata;
        Optional<TopicImage> known = image.topic(topic);
        if (known.isEmpty()) {
            errors.put(partition, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        } else if (text.getBytes(StandardCharsets.UTF_8).length > offsetMetadataMaxBytes) {
            errors.put(partition, Errors.OFFSET_METADATA_TOO_LARGE);
        } else {
            valid.put(
                    partition,
                    new CommittedOffset(
                            offset, leaderEpoch, text, -1, known.get().topicId()));
        }
    }

    /** The partitions refused so far, with their errors (mutable: the handler answers from it). */
    public Map<TopicPartition, Errors> errors() {
        return errors;
    }

    /** The offsets that passed, as an immutable copy for a coordinator command. */
    public Map<TopicPartition, CommittedOffset> valid() {
        return Map.copyOf(valid);
    }
}
