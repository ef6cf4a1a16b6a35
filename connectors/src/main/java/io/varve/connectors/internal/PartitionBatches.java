package io.varve.connectors.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * The record batches of one partition on their way from a sink to the partition actor: one open
 * batch being filled, sealed batches waiting, and the batches sent but not yet answered, in order.
 * Batches are real Kafka v2 record batches built by kafka-clients' {@link MemoryRecordsBuilder},
 * stamped with the sink's producer id, epoch and the partition's next sequence (idempotence works as
 * for a Kafka producer), and appended through the partition actor exactly as a Produce is.
 *
 * <p>Batching needs no timer: a batch is sent as soon as fewer than {@code maxInFlight} appends are
 * outstanding, so a lone record goes out at once, and records arriving while the partition is busy
 * accumulate until it answers (or the batch is full). Not thread-safe: confined to its stage.
 *
 * @param <E> what the stage remembers per record (its slot in the output order)
 */
final class PartitionBatches<E> {
    /** A sent or sealed batch: its records and, per record, the stage's element. */
    record Batch<E>(MemoryRecords records, List<E> elements, long deadlineNanos) {}

    /** Bytes allocated for a batch opened while nothing is outstanding (it is likely sent alone). */
    private static final int SMALL_BATCH_BYTES = 1024;

    private final TopicPartition tp;
    private final ProducerIdentity identity;
    private final Compression compression;
    private final int batchBytes;
    private final int maxInFlight;
    private final ArrayDeque<Batch<E>> sealed = new ArrayDeque<>();
    private final ArrayDeque<Batch<E>> inFlight = new ArrayDeque<>();
    private MemoryRecordsBuilder open;
    private List<E> openElements;
    private int nextSequence;

    PartitionBatches(
            TopicPartition tp, ProducerIdentity identity, Compression compression, int batchBytes, int maxInFlight) {
        this.tp = tp;
        this.identity = identity;
        this.compression = compression;
        this.batchBytes = batchBytes;
        this.maxInFlight = maxInFlight;
    }

    TopicPartition tp() {
        return tp;
    }

    /** Adds one record to the open batch, sealing the open batch first when the record does not fit. */
    void add(E element, long timestamp, byte[] key, byte[] value, Header[] headers) {
        if (open != null && !open.hasRoomFor(timestamp, key, value, headers)) {
            seal();
        }
        if (open == null) {
            int initial = inFlight.isEmpty() && sealed.isEmpty() ? Math.min(SMALL_BATCH_BYTES, batchBytes) : batchBytes;
            open = new MemoryRecordsBuilder(
                    ByteBuffer.allocate(initial),
                    RecordBatch.CURRENT_MAGIC_VALUE,
                    compression,
                    TimestampType.CREATE_TIME,
                    0L,
                    RecordBatch.NO_TIMESTAMP,
                    identity.producerId(),
                    identity.producerEpoch(),
                    identity.isIdempotent() ? nextSequence : RecordBatch.NO_SEQUENCE,
                    false,
                    false,
                    RecordBatch.NO_PARTITION_LEADER_EPOCH,
                    batchBytes);
            openElements = new ArrayList<>();
        }
        open.append(timestamp, key, value, headers);
        openElements.add(element);
    }

    /**
     * The next batch to send, if fewer than {@code maxInFlight} are outstanding: a sealed one, else
     * the open one, sealed now. The caller sends it and later calls {@link #onAnswered()}.
     */
    Optional<Batch<E>> nextToSend(long deadlineNanos) {
        if (inFlight.size() >= maxInFlight) {
            return Optional.empty();
        }
        if (sealed.isEmpty()) {
            seal();
        }
        Batch<E> next = sealed.poll();
        if (next == null) {
            return Optional.empty();
        }
        Batch<E> sent = new Batch<>(next.records(), next.elements(), deadlineNanos);
        inFlight.add(sent);
        return Optional.of(sent);
    }

    /** The oldest outstanding batch, which the partition's next answer is for (it answers in order). */
    Batch<E> onAnswered() {
        Batch<E> answered = inFlight.poll();
        if (answered == null) {
            throw new IllegalStateException("an answer from " + tp + " with no append outstanding");
        }
        return answered;
    }

    /** The deadline of the oldest outstanding batch, if any. */
    Optional<Long> oldestDeadlineNanos() {
        Batch<E> oldest = inFlight.peek();
        return oldest == null ? Optional.empty() : Optional.of(oldest.deadlineNanos());
    }

    boolean hasOpenRecords() {
        return open != null;
    }

    /** Records sent and not answered, sealed, or open. */
    boolean isEmpty() {
        return open == null && sealed.isEmpty() && inFlight.isEmpty();
    }

    private void seal() {
        if (open == null) {
            return;
        }
        MemoryRecords records = open.build();
        sealed.add(new Batch<>(records, openElements, 0L));
        if (identity.isIdempotent()) {
            nextSequence = DefaultRecordBatch.incrementSequence(nextSequence, openElements.size());
        }
        open = null;
        openElements = null;
    }
}
