package io.varve.connectors.stream;

import io.varve.connectors.internal.RecordDecoder;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * One record as the in-process record sources ({@link VarveConsumer#partitionRecords} and the
 * other {@code …Records} sources) emit it: its position and timestamp, and its key and value as
 * they are stored, slices of the bytes the source read (no copy, no deserializer call). Typed
 * values come from {@link #key(Deserializer)}, {@link #value(Deserializer)} or {@link
 * #toConsumerRecord(Deserializer, Deserializer)} when the application asks for them; the record's
 * headers are wrapped in Kafka's {@link Headers} on the first {@link #headers()} call.
 *
 * <p>Immutable from the outside (the buffers handed out are read-only views of their own), so a
 * record may cross threads. A record keeps the buffer of its read (at most {@link
 * SourceSettings#maxBytesPerRead()} bytes, shared by that read's records) reachable while it is
 * held: copy {@link #valueBytes()} to keep a value longer than its record.
 */
public final class VarveRecord {
    private final TopicPartition topicPartition;
    private final long offset;
    private final long timestamp;
    private final TimestampType timestampType;
    private final Optional<Integer> leaderEpoch;
    private final ByteBuffer key;
    private final ByteBuffer value;
    private final Header[] headerArray;
    private RecordHeaders headers;

    /**
     * A record of {@code topicPartition}. The stage builds these; public for tests of application
     * code that takes records.
     *
     * @param key the stored key (position to limit), or {@code null}; the record owns the buffer
     * @param value the stored value, or {@code null}; the record owns the buffer
     * @param headers the record's headers, in order (the record owns the array)
     */
    public VarveRecord(
            TopicPartition topicPartition,
            long offset,
            long timestamp,
            TimestampType timestampType,
            Optional<Integer> leaderEpoch,
            ByteBuffer key,
            ByteBuffer value,
            Header[] headers) {
        this.topicPartition = Objects.requireNonNull(topicPartition, "topicPartition");
        this.offset = offset;
        this.timestamp = timestamp;
        this.timestampType = Objects.requireNonNull(timestampType, "timestampType");
        this.leaderEpoch = Objects.requireNonNull(leaderEpoch, "leaderEpoch");
        this.key = key;
        this.value = value;
        this.headerArray = Objects.requireNonNull(headers, "headers");
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public String topic() {
        return topicPartition.topic();
    }

    public int partition() {
        return topicPartition.partition();
    }

    public long offset() {
        return offset;
    }

    public long timestamp() {
        return timestamp;
    }

    public TimestampType timestampType() {
        return timestampType;
    }

    /** The leader epoch of the batch the record was written in, as {@link ConsumerRecord#leaderEpoch()}. */
    public Optional<Integer> leaderEpoch() {
        return leaderEpoch;
    }

    public boolean hasKey() {
        return key != null;
    }

    public boolean hasValue() {
        return value != null;
    }

    /** The stored key as a read-only buffer (position 0 to its size), or {@code null} when the record has none. */
    public ByteBuffer key() {
        return key == null ? null : key.asReadOnlyBuffer();
    }

    /** The stored value as a read-only buffer, or {@code null} for a tombstone. */
    public ByteBuffer value() {
        return value == null ? null : value.asReadOnlyBuffer();
    }

    /** A copy of the key's bytes, or {@code null}. */
    public byte[] keyBytes() {
        return copy(key);
    }

    /** A copy of the value's bytes, or {@code null}. */
    public byte[] valueBytes() {
        return copy(value);
    }

    /** The key's size in bytes, or -1 without a key (as {@link ConsumerRecord#serializedKeySize()}). */
    public int serializedKeySize() {
        return key == null ? -1 : key.remaining();
    }

    /** The value's size in bytes, or -1 for a tombstone. */
    public int serializedValueSize() {
        return value == null ? -1 : value.remaining();
    }

    /** The record's headers (read-only), decoded into Kafka's {@link Headers} on the first call. */
    public Headers headers() {
        RecordHeaders decoded = headers;
        if (decoded == null) {
            decoded = new RecordHeaders(headerArray);
            decoded.setReadOnly();
            headers = decoded;
        }
        return decoded;
    }

    /** The key deserialized with {@code deserializer} (which sees the topic and headers), or {@code null}. */
    public <K> K key(Deserializer<K> deserializer) {
        return key == null ? null : deserializer.deserialize(topic(), headers(), key.asReadOnlyBuffer());
    }

    /** The value deserialized with {@code deserializer}, or {@code null} for a tombstone. */
    public <V> V value(Deserializer<V> deserializer) {
        return value == null ? null : deserializer.deserialize(topic(), headers(), value.asReadOnlyBuffer());
    }

    /**
     * This record as Kafka's consumer would return it, key and value deserialized now; its headers
     * are a fresh, mutable {@link RecordHeaders} as a Kafka consumer's are, which the deserializers see.
     */
    public <K, V> ConsumerRecord<K, V> toConsumerRecord(
            Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return RecordDecoder.consumerRecord(
                topicPartition,
                offset,
                timestamp,
                timestampType,
                leaderEpoch,
                key == null ? null : key.duplicate(),
                value == null ? null : value.duplicate(),
                headerArray,
                keyDeserializer,
                valueDeserializer);
    }

    private static byte[] copy(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    @Override
    public String toString() {
        return "VarveRecord(" + topicPartition + "@" + offset + ", timestamp " + timestamp + " " + timestampType
                + ", key " + serializedKeySize() + " B, value " + serializedValueSize() + " B, "
                + headerArray.length + " header(s))";
    }
}
