package io.varve.connectors.internal;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns the record batches of one read (bytes exactly as the log stores them) into {@link
 * ConsumerRecord}s with kafka-clients' record classes and the user's deserializers, as Kafka's
 * consumer does: records before the fetch offset (the first batch may start earlier) and control
 * batches are skipped; compressed batches are decompressed by kafka-clients. Stateless apart from
 * its settings; used on its stage's thread.
 */
final class RecordDecoder<K, V> {
    private final TopicPartition tp;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;

    RecordDecoder(TopicPartition tp, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        this.tp = tp;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
    }

    /**
     * Adds the records at or after {@code fetchOffset} to {@code into}; returns the offset after the
     * last batch read (the next fetch offset), at least {@code fetchOffset}.
     */
    long decode(ByteBuffer bytes, long fetchOffset, Collection<ConsumerRecord<K, V>> into) {
        long next = fetchOffset;
        for (MutableRecordBatch batch : MemoryRecords.readableRecords(bytes).batches()) {
            if (batch.lastOffset() < next) {
                continue;
            }
            if (!batch.isControlBatch()) {
                // one Optional per batch: every record of a batch has its leader epoch
                int epoch = batch.partitionLeaderEpoch();
                Optional<Integer> leaderEpoch =
                        epoch == RecordBatch.NO_PARTITION_LEADER_EPOCH ? Optional.empty() : Optional.of(epoch);
                for (Record record : batch) {
                    if (record.offset() >= next) {
                        into.add(toConsumerRecord(batch, record, leaderEpoch));
                    }
                }
            }
            next = batch.nextOffset();
        }
        return next;
    }

    private ConsumerRecord<K, V> toConsumerRecord(RecordBatch batch, Record record, Optional<Integer> leaderEpoch) {
        RecordHeaders headers = new RecordHeaders(record.headers());
        K key = record.hasKey() ? keyDeserializer.deserialize(tp.topic(), headers, record.key()) : null;
        V value = record.hasValue() ? valueDeserializer.deserialize(tp.topic(), headers, record.value()) : null;
        return new ConsumerRecord<>(
                tp.topic(),
                tp.partition(),
                record.offset(),
                record.timestamp(),
                batch.timestampType(),
                record.keySize(),
                record.valueSize(),
                key,
                value,
                headers,
                leaderEpoch);
    }
}
