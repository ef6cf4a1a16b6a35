package io.varve.connectors.internal;

import io.varve.connectors.stream.VarveRecord;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Turns the record batches of one read (bytes exactly as the log stores them) into the elements a
 * source emits, with kafka-clients' record classes, as Kafka's consumer does: records before the
 * fetch offset (the first batch may start earlier) and control batches are skipped; compressed
 * batches are decompressed by kafka-clients. {@link #records} makes {@link VarveRecord}s (key and
 * value left as slices of the read), {@link #consumerRecords} Kafka's {@link ConsumerRecord}s with
 * the user's deserializers. Stateless apart from its settings; used on its stage's thread.
 *
 * @param <T> the element made of each record
 */
public final class RecordDecoder<T> {
    /** Makes one element of a record of a (non-control) batch. */
    @FunctionalInterface
    interface Factory<T> {
        T create(TopicPartition tp, RecordBatch batch, Optional<Integer> leaderEpoch, Record record);
    }

    private final TopicPartition tp;
    private final Factory<T> factory;

    private RecordDecoder(TopicPartition tp, Factory<T> factory) {
        this.tp = tp;
        this.factory = factory;
    }

    /** {@link VarveRecord}s: no copy of keys or values, no deserializer. */
    public static RecordDecoder<VarveRecord> records(TopicPartition tp) {
        return new RecordDecoder<>(tp, RecordDecoder::varveRecord);
    }

    /**
     * Kafka's {@link ConsumerRecord}s, deserialized as a Kafka consumer with these deserializers would
     * (straight from kafka-clients' record: no {@link VarveRecord} in between).
     */
    public static <K, V> RecordDecoder<ConsumerRecord<K, V>> consumerRecords(
            TopicPartition tp, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new RecordDecoder<>(
                tp,
                (partition, batch, epoch, record) -> consumerRecord(
                        partition,
                        record.offset(),
                        record.timestamp(),
                        batch.timestampType(),
                        epoch,
                        record.key(),
                        record.value(),
                        record.headers(),
                        keyDeserializer,
                        valueDeserializer));
    }

    /**
     * One {@link ConsumerRecord} as Kafka's consumer builds it: the headers wrapped once, the sizes
     * taken before the deserializers read {@code key} and {@code value} (which they may consume).
     */
    public static <K, V> ConsumerRecord<K, V> consumerRecord(
            TopicPartition tp,
            long offset,
            long timestamp,
            TimestampType timestampType,
            Optional<Integer> leaderEpoch,
            ByteBuffer key,
            ByteBuffer value,
            Header[] headers,
            Deserializer<K> keyDeserializer,
            Deserializer<V> valueDeserializer) {
        RecordHeaders wrapped = new RecordHeaders(headers);
        String topic = tp.topic();
        return new ConsumerRecord<>(
                topic,
                tp.partition(),
                offset,
                timestamp,
                timestampType,
                key == null ? -1 : key.remaining(),
                value == null ? -1 : value.remaining(),
                key == null ? null : keyDeserializer.deserialize(topic, wrapped, key),
                value == null ? null : valueDeserializer.deserialize(topic, wrapped, value),
                wrapped,
                leaderEpoch);
    }

    private static VarveRecord varveRecord(
            TopicPartition tp, RecordBatch batch, Optional<Integer> leaderEpoch, Record record) {
        // key() and value() are fresh views of the read's buffer, owned by the record from here
        return new VarveRecord(
                tp,
                record.offset(),
                record.timestamp(),
                batch.timestampType(),
                leaderEpoch,
                record.key(),
                record.value(),
                record.headers());
    }

    /** This decoder with {@code then} applied to every element it makes. */
    public <R> RecordDecoder<R> map(Function<? super T, ? extends R> then) {
        Factory<T> first = factory;
        return new RecordDecoder<>(
                tp, (partition, batch, epoch, record) -> then.apply(first.create(partition, batch, epoch, record)));
    }

    /**
     * Adds the records at or after {@code fetchOffset} to {@code into}; returns the offset after the
     * last batch read (the next fetch offset), at least {@code fetchOffset}.
     */
    long decode(ByteBuffer bytes, long fetchOffset, Collection<? super T> into) {
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
                        into.add(factory.create(tp, batch, leaderEpoch, record));
                    }
                }
            }
            next = batch.nextOffset();
        }
        return next;
    }
}
