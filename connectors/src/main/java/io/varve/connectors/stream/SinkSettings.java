package io.varve.connectors.stream;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.serialization.Serializer;

/**
 * How an in-process sink writes: serializers, {@link Acks}, idempotence, compression and batching.
 * Immutable; each {@code with…} returns a copy. The defaults follow Kafka's producer: {@code
 * acks=all}, idempotent, uncompressed.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public final class SinkSettings<K, V> {
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Acks acks;
    private final Boolean idempotence;
    private final String compression;
    private final int batchBytes;
    private final int maxInFlightPerPartition;
    private final int maxBufferedRecords;
    private final Duration timeout;

    private SinkSettings(
            Serializer<K> keySerializer,
            Serializer<V> valueSerializer,
            Acks acks,
            Boolean idempotence,
            String compression,
            int batchBytes,
            int maxInFlightPerPartition,
            int maxBufferedRecords,
            Duration timeout) {
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
        this.acks = acks;
        this.idempotence = idempotence;
        this.compression = compression;
        this.batchBytes = batchBytes;
        this.maxInFlightPerPartition = maxInFlightPerPartition;
        this.maxBufferedRecords = maxBufferedRecords;
        this.timeout = timeout;
    }

    public static <K, V> SinkSettings<K, V> create(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return new SinkSettings<>(
                Objects.requireNonNull(keySerializer, "keySerializer"),
                Objects.requireNonNull(valueSerializer, "valueSerializer"),
                Acks.ALL,
                null,
                "none",
                64 * 1024,
                2,
                16_384,
                Duration.ofSeconds(30));
    }

    /** Kafka's {@code acks}; {@link Acks#ALL} by default. */
    public SinkSettings<K, V> withAcks(Acks acks) {
        return copy(
                Objects.requireNonNull(acks, "acks"), idempotence, compression, batchBytes, maxInFlightPerPartition);
    }

    /**
     * Kafka's {@code enable.idempotence}: batches carry a producer id and sequences, so the partition
     * rejects duplicates and gaps. By default on with {@code acks=all} and off otherwise; turning it
     * on with other acks is refused when the stage starts, as Kafka's producer refuses it.
     */
    public SinkSettings<K, V> withIdempotence(boolean enabled) {
        return copy(acks, enabled, compression, batchBytes, maxInFlightPerPartition);
    }

    /** Kafka's {@code compression.type}: none, gzip, snappy, lz4 or zstd. */
    public SinkSettings<K, V> withCompression(String type) {
        CompressionType.forName(type);
        return copy(acks, idempotence, type, batchBytes, maxInFlightPerPartition);
    }

    /** Kafka's {@code batch.size}: the most record bytes in one batch (64 KiB by default). */
    public SinkSettings<K, V> withBatchBytes(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("batch bytes must be positive, not " + bytes);
        }
        return copy(acks, idempotence, compression, bytes, maxInFlightPerPartition);
    }

    /** Appends to one partition outstanding at once (2 by default; Kafka allows 5 per connection). */
    public SinkSettings<K, V> withMaxInFlightPerPartition(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max in flight must be positive, not " + max);
        }
        return copy(acks, idempotence, compression, batchBytes, max);
    }

    /** Records taken from upstream and not yet written (16,384 by default): the stage's backpressure. */
    public SinkSettings<K, V> withMaxBufferedRecords(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max buffered records must be positive, not " + max);
        }
        return new SinkSettings<>(
                keySerializer,
                valueSerializer,
                acks,
                idempotence,
                compression,
                batchBytes,
                maxInFlightPerPartition,
                max,
                timeout);
    }

    /**
     * How long an append may stay unanswered before the stage fails with a {@code TimeoutException}
     * (Kafka's {@code request.timeout.ms}; {@code acks=all} waits this long for the replicas).
     */
    public SinkSettings<K, V> withTimeout(Duration timeout) {
        return new SinkSettings<>(
                keySerializer,
                valueSerializer,
                acks,
                idempotence,
                compression,
                batchBytes,
                maxInFlightPerPartition,
                maxBufferedRecords,
                Objects.requireNonNull(timeout, "timeout"));
    }

    private SinkSettings<K, V> copy(
            Acks acks, Boolean idempotence, String compression, int batchBytes, int maxInFlightPerPartition) {
        return new SinkSettings<>(
                keySerializer,
                valueSerializer,
                acks,
                idempotence,
                compression,
                batchBytes,
                maxInFlightPerPartition,
                maxBufferedRecords,
                timeout);
    }

    public Serializer<K> keySerializer() {
        return keySerializer;
    }

    public Serializer<V> valueSerializer() {
        return valueSerializer;
    }

    public Acks acks() {
        return acks;
    }

    /** Whether batches carry a producer id: as set, else only with {@code acks=all}. */
    public boolean idempotence() {
        return idempotence == null ? acks == Acks.ALL : idempotence;
    }

    /** Throws {@code IllegalArgumentException} for idempotence asked for without {@code acks=all}. */
    void validate() {
        if (Boolean.TRUE.equals(idempotence) && acks != Acks.ALL) {
            throw new IllegalArgumentException(
                    "idempotence needs acks=all (acks is " + acks + "), as Kafka's enable.idempotence does");
        }
    }

    public Compression compression() {
        return Compression.of(compression).build();
    }

    public int batchBytes() {
        return batchBytes;
    }

    public int maxInFlightPerPartition() {
        return maxInFlightPerPartition;
    }

    public int maxBufferedRecords() {
        return maxBufferedRecords;
    }

    public Duration timeout() {
        return timeout;
    }
}
