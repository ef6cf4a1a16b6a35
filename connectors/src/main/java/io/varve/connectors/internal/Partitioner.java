package io.varve.connectors.internal;

import io.varve.metadata.TopicImage;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Utils;

/**
 * Picks a record's partition as Kafka's producer does: the record's own partition, else the murmur2
 * hash of its serialized key (the partition a {@code KafkaProducer} picks for the same key and
 * partition count), else a sticky partition per topic that moves on each time a batch of it is sent.
 * Not thread-safe: confined to its sink stage.
 */
final class Partitioner {
    private final Map<String, Integer> sticky = new HashMap<>();

    int partition(ProducerRecord<?, ?> record, byte[] key, TopicImage topic) {
        int count = topic.partitions().size();
        if (record.partition() != null) {
            if (record.partition() < 0 || record.partition() >= count) {
                throw new UnknownTopicOrPartitionException("partition " + record.partition() + " of topic '"
                        + record.topic() + "' does not exist: it has " + count + " partition(s)");
            }
            return record.partition();
        }
        if (key != null) {
            return Utils.toPositive(Utils.murmur2(key)) % count;
        }
        return sticky.getOrDefault(record.topic(), 0) % count;
    }

    /** A keyless record's batch of {@code partition} was sent: the next keyless records go elsewhere. */
    void onBatchSent(String topic, int partition, int partitionCount) {
        sticky.put(topic, (partition + 1) % partitionCount);
    }
}
