package io.varve.connectors.stream;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A record written by {@link VarveProducer#flow}: where it landed, as Kafka's producer reports it
 * (partition, offset, timestamp; offset -1 with {@code acks=0}), and the message's pass-through.
 */
public record ProducerResult<K, V, P>(ProducerRecord<K, V> record, RecordMetadata metadata, P passThrough) {
    public long offset() {
        return metadata.offset();
    }

    public int partition() {
        return metadata.partition();
    }
}
