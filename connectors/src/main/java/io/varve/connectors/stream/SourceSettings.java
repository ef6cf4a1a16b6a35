package io.varve.connectors.stream;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * How an in-process source reads: deserializers, bytes per read, {@link OffsetReset}, the consumer
 * group a committable source commits to, and how long a partition may take to answer. Immutable;
 * each {@code with…} returns a copy.
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public final class SourceSettings<K, V> {
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final int maxBytesPerRead;
    private final OffsetReset autoOffsetReset;
    private final String groupId;
    private final Duration timeout;

    private SourceSettings(
            Deserializer<K> keyDeserializer,
            Deserializer<V> valueDeserializer,
            int maxBytesPerRead,
            OffsetReset autoOffsetReset,
            String groupId,
            Duration timeout) {
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.maxBytesPerRead = maxBytesPerRead;
        this.autoOffsetReset = autoOffsetReset;
        this.groupId = groupId;
        this.timeout = timeout;
    }

    /**
     * Defaults: 256 KiB per read, {@link OffsetReset#LATEST} as Kafka's consumer, no group. A read
     * larger than half a G1 heap region (512 KiB with a 2 GiB heap) would be a humongous allocation
     * on every read; 256 KiB is still about 2,000 records of 100 bytes per round trip.
     */
    public static <K, V> SourceSettings<K, V> create(
            Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
        return new SourceSettings<>(
                Objects.requireNonNull(keyDeserializer, "keyDeserializer"),
                Objects.requireNonNull(valueDeserializer, "valueDeserializer"),
                256 * 1024,
                OffsetReset.LATEST,
                null,
                Duration.ofSeconds(30));
    }

    /**
     * As Kafka's {@code max.partition.fetch.bytes}: the most bytes one read of a partition returns
     * (a larger first batch is still returned whole). Each read becomes one chunk of records, and a
     * partition's next read is sent once its previous chunk is handed downstream, so this also bounds
     * the records a source holds ahead of its consumer (a few reads per partition).
     */
    public SourceSettings<K, V> withMaxBytesPerRead(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("max bytes per read must be positive, not " + bytes);
        }
        return new SourceSettings<>(keyDeserializer, valueDeserializer, bytes, autoOffsetReset, groupId, timeout);
    }

    public SourceSettings<K, V> withAutoOffsetReset(OffsetReset reset) {
        return new SourceSettings<>(
                keyDeserializer,
                valueDeserializer,
                maxBytesPerRead,
                Objects.requireNonNull(reset, "reset"),
                groupId,
                timeout);
    }

    /** Kafka's {@code group.id}: the group a committable source starts from and commits to. */
    public SourceSettings<K, V> withGroupId(String groupId) {
        return new SourceSettings<>(
                keyDeserializer,
                valueDeserializer,
                maxBytesPerRead,
                autoOffsetReset,
                Objects.requireNonNull(groupId, "groupId"),
                timeout);
    }

    /** How long a partition or the group coordinator may take to answer (30 s by default). */
    public SourceSettings<K, V> withTimeout(Duration timeout) {
        return new SourceSettings<>(
                keyDeserializer,
                valueDeserializer,
                maxBytesPerRead,
                autoOffsetReset,
                groupId,
                Objects.requireNonNull(timeout, "timeout"));
    }

    public Deserializer<K> keyDeserializer() {
        return keyDeserializer;
    }

    public Deserializer<V> valueDeserializer() {
        return valueDeserializer;
    }

    public int maxBytesPerRead() {
        return maxBytesPerRead;
    }

    public OffsetReset autoOffsetReset() {
        return autoOffsetReset;
    }

    public Optional<String> groupId() {
        return Optional.ofNullable(groupId);
    }

    public Duration timeout() {
        return timeout;
    }
}
