package io.varve.storage.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Every kind of corrupt producer batch the validator must answer, each with the Kafka error code a
 * partition gives it: framing (lengths, magic, trailing bytes), header fields (offsets, counts,
 * attributes, sequences, CRC), record structure (varints, lengths, offset deltas, headers),
 * timestamps, and compressed payloads of every codec. The bytes are written by hand where no client
 * library would write them; valid records come from kafka-clients. Used by the storage tests and by
 * the robustness test against a real node ({@code it}). Each call builds fresh buffers (an append
 * rewrites them in place).
 */
public final class CorruptBatches {
    /** {@code max.message.bytes} the catalogue's too-large batch exceeds (Kafka's default). */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + 12;

    private static final int ATTRIBUTES_OFFSET = 21;
    private static final int CRC_OFFSET = DefaultRecordBatch.CRC_OFFSET;
    private static final byte[] VALUE = "value".getBytes(StandardCharsets.UTF_8);
    /** Past Kafka's default message.timestamp.after.max.ms of one hour. */
    private static final long TWO_HOURS_MS = 2 * 3600_000L;

    private CorruptBatches() {}

    /** One corruption: its name, the error a partition answers, and the records of one partition. */
    public record Kind(String name, Errors expected, MemoryRecords records) {
        @Override
        public String toString() {
            return name + " -> " + expected;
        }
    }

    /** Every kind, with record timestamps at {@code nowMs} (within the default bounds). */
    public static List<Kind> all(long nowMs) {
        List<Kind> kinds = new ArrayList<>();
        framing(kinds, nowMs);
        header(kinds, nowMs);
        records(kinds, nowMs);
        for (CompressionType codec :
                List.of(CompressionType.GZIP, CompressionType.SNAPPY, CompressionType.LZ4, CompressionType.ZSTD)) {
            compressed(kinds, nowMs, codec);
        }
        snappyBombs(kinds, nowMs);
        return kinds;
    }

    /** A valid batch of {@code count} records "value" with keys "k0..", as a producer writes it. */
    public static ByteBuffer valid(long nowMs, int count, CompressionType codec) {
        return batch(codec, nowMs, count, count - 1, section(codec, validRecords(count)), b -> {});
    }

    private static void framing(List<Kind> kinds, long now) {
        kinds.add(kind("no bytes at all", Errors.INVALID_RECORD, ByteBuffer.allocate(0)));
        kinds.add(kind("5 bytes", Errors.CORRUPT_MESSAGE, ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 1})));
        kinds.add(
                kind("batch length below the header", Errors.CORRUPT_MESSAGE, patch(plain(now), b -> b.putInt(8, 20))));
        kinds.add(kind("negative batch length", Errors.CORRUPT_MESSAGE, patch(plain(now), b -> b.putInt(8, -7))));
        kinds.add(kind(
                "batch length past the request",
                Errors.CORRUPT_MESSAGE,
                patch(plain(now), b -> b.putInt(8, b.getInt(8) + 100))));
        kinds.add(kind(
                "trailing bytes after the batch",
                Errors.CORRUPT_MESSAGE,
                concat(plain(now), ByteBuffer.wrap(new byte[7]))));
        kinds.add(kind("two batches", Errors.INVALID_RECORD, concat(plain(now), plain(now))));
        for (byte magic : new byte[] {0, 1, 3}) {
            kinds.add(kind("magic " + magic, Errors.INVALID_RECORD, patch(plain(now), b -> b.put(16, magic))));
        }
        kinds.add(kind(
                "larger than max.message.bytes",
                Errors.MESSAGE_TOO_LARGE,
                batch(
                        CompressionType.NONE,
                        now,
                        1,
                        0,
                        record(0, 0, null, new byte[DEFAULT_MAX_MESSAGE_BYTES]),
                        b -> {})));
    }

    private static void header(List<Kind> kinds, long now) {
        kinds.add(kind("bad CRC", Errors.CORRUPT_MESSAGE, patch(plain(now), b -> b.put(b.limit() - 1, (byte) 0x55))));
        kinds.add(kind("base offset 5", Errors.INVALID_RECORD, patch(plain(now), b -> b.putLong(0, 5L))));
        kinds.add(kind(
                "last offset delta -1",
                Errors.INVALID_RECORD,
                batch(CompressionType.NONE, now, 3, -1, validRecords(3), b -> {})));
        kinds.add(kind(
                "record count 0",
                Errors.INVALID_RECORD,
                batch(CompressionType.NONE, now, 0, 2, validRecords(3), b -> {})));
        kinds.add(kind(
                "record count above the offset range",
                Errors.INVALID_RECORD,
                batch(CompressionType.NONE, now, 5, 2, validRecords(3), b -> {})));
        kinds.add(kind(
                "record count of 2^31-1 in a small batch",
                Errors.INVALID_RECORD,
                batch(CompressionType.NONE, now, Integer.MAX_VALUE, Integer.MAX_VALUE - 1, validRecords(3), b -> {})));
        kinds.add(kind("control batch", Errors.INVALID_RECORD, withAttributes(plain(now), 0x20)));
        for (int codec = 5; codec <= 7; codec++) {
            kinds.add(kind(
                    "compression codec " + codec,
                    Errors.UNSUPPORTED_COMPRESSION_TYPE,
                    withAttributes(plain(now), codec)));
        }
        kinds.add(kind(
                "transactional batch without producer id", Errors.INVALID_RECORD, withAttributes(plain(now), 0x10)));
        kinds.add(kind(
                "idempotent batch with a negative sequence", Errors.INVALID_RECORD, crcFixed(patch(plain(now), b -> {
                    b.putLong(43, 1000L);
                    b.putShort(51, (short) 0);
                    b.putInt(53, -5);
                }))));
        kinds.add(kind(
                "producer claims LogAppendTime two hours ahead",
                Errors.INVALID_TIMESTAMP,
                crcFixed(patch(withAttributes(plain(now), 0x08), b -> b.putLong(35, now + TWO_HOURS_MS)))));
    }

    private static void records(List<Kind> kinds, long now) {
        kinds.add(kind(
                "record length varint of 6 bytes",
                Errors.INVALID_RECORD,
                oneRecord(now, out -> out.write(new byte[] {-1, -1, -1, -1, -1, 1}))));
        kinds.add(kind("negative record length", Errors.INVALID_RECORD, oneRecord(now, out -> writeVarint(out, -3))));
        kinds.add(kind("record length past the batch", Errors.INVALID_RECORD, oneRecord(now, out -> {
            writeVarint(out, 5000);
            out.write(body(0, 0, null, VALUE, 0));
        })));
        byte[] body = body(0, 0, null, VALUE, 0);
        kinds.add(kind("record length shorter than its fields", Errors.INVALID_RECORD, oneRecord(now, out -> {
            writeVarint(out, body.length - 2);
            out.write(body);
        })));
        kinds.add(kind("record length longer than its fields", Errors.INVALID_RECORD, oneRecord(now, out -> {
            writeVarint(out, body.length + 3);
            out.write(body);
            out.write(new byte[3]);
        })));
        kinds.add(kind(
                "record offset deltas out of order",
                Errors.INVALID_RECORD,
                batch(
                        CompressionType.NONE,
                        now,
                        2,
                        1,
                        concat(record(1, 0, null, VALUE), record(0, 0, null, VALUE)),
                        b -> {})));
        kinds.add(kind("key length -2", Errors.INVALID_RECORD, rawBody(now, out -> {
            out.write(0);
            writeVarlong(out, 0);
            writeVarint(out, 0);
            writeVarint(out, -2);
            writeVarint(out, 0);
            writeVarint(out, 0);
        })));
        kinds.add(kind("key length past the record", Errors.INVALID_RECORD, rawBody(now, out -> {
            out.write(0);
            writeVarlong(out, 0);
            writeVarint(out, 0);
            writeVarint(out, 100);
            out.write(new byte[3]);
        })));
        kinds.add(kind("value length past the record", Errors.INVALID_RECORD, rawBody(now, out -> {
            out.write(0);
            writeVarlong(out, 0);
            writeVarint(out, 0);
            writeVarint(out, -1);
            writeVarint(out, 100);
            out.write(new byte[3]);
        })));
        kinds.add(kind(
                "negative header count",
                Errors.INVALID_RECORD,
                rawBody(now, out -> out.write(body(0, 0, null, VALUE, -1)))));
        kinds.add(kind(
                "header count past the record",
                Errors.INVALID_RECORD,
                rawBody(now, out -> out.write(body(0, 0, null, VALUE, 1000)))));
        kinds.add(kind("negative header key length", Errors.INVALID_RECORD, rawBody(now, out -> {
            out.write(body(0, 0, null, VALUE, 1));
            writeVarint(out, -1);
            writeVarint(out, 0);
        })));
        kinds.add(kind("timestamp delta varlong of 11 bytes", Errors.INVALID_RECORD, rawBody(now, out -> {
            out.write(0);
            out.write(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1});
            writeVarint(out, 0);
            writeVarint(out, -1);
            writeVarint(out, -1);
            writeVarint(out, 0);
        })));
        kinds.add(kind(
                "fewer records than the count",
                Errors.INVALID_RECORD,
                batch(CompressionType.NONE, now, 3, 2, validRecords(2), b -> {})));
        kinds.add(kind(
                "bytes after the last record",
                Errors.INVALID_RECORD,
                batch(
                        CompressionType.NONE,
                        now,
                        2,
                        1,
                        concat(validRecords(2), ByteBuffer.wrap(new byte[] {0, 0})),
                        b -> {})));
        kinds.add(kind(
                "record timestamp two hours ahead",
                Errors.INVALID_TIMESTAMP,
                batch(CompressionType.NONE, now, 1, 0, record(0, TWO_HOURS_MS, null, VALUE), b -> {})));
    }

    private static void compressed(List<Kind> kinds, long now, CompressionType codec) {
        String name = codec.name;
        kinds.add(kind(
                "garbage " + name + " payload",
                Errors.CORRUPT_MESSAGE,
                batch(codec, now, 3, 2, garbage(200), b -> {})));
        ByteBuffer whole = section(codec, validRecords(40));
        ByteBuffer cut = whole.duplicate().limit(whole.limit() / 2);
        kinds.add(kind(
                "truncated " + name + " payload", Errors.CORRUPT_MESSAGE, batch(codec, now, 40, 39, cut, b -> {})));
        ByteBuffer malformed = section(codec, concat(record(1, 0, null, VALUE), record(0, 0, null, VALUE)));
        kinds.add(kind(
                name + " payload of malformed records",
                Errors.INVALID_RECORD,
                batch(codec, now, 2, 1, malformed, b -> {})));
        kinds.add(kind(
                name + " record timestamp out of range",
                Errors.INVALID_TIMESTAMP,
                batch(
                        codec,
                        now,
                        2,
                        1,
                        section(codec, concat(record(0, 0, null, VALUE), record(1, TWO_HOURS_MS, null, VALUE))),
                        b -> {})));
    }

    /** snappy-java allocates what a stream announces: payloads that announce hundreds of megabytes. */
    private static void snappyBombs(List<Kind> kinds, long now) {
        ByteBuffer chunk = ByteBuffer.allocate(16 + 4 + 8);
        chunk.put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0})
                .putInt(1)
                .putInt(1);
        chunk.putInt(512 * 1024 * 1024).put(new byte[8]).flip();
        kinds.add(kind(
                "snappy chunk announcing 512 MiB",
                Errors.CORRUPT_MESSAGE,
                batch(CompressionType.SNAPPY, now, 1, 0, chunk, b -> {})));
        ByteBuffer raw =
                ByteBuffer.wrap(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x03, 0, 0, 0});
        kinds.add(kind(
                "snappy block announcing 768 MiB",
                Errors.CORRUPT_MESSAGE,
                batch(CompressionType.SNAPPY, now, 1, 0, raw, b -> {})));
    }

    // ---- building blocks

    private static Kind kind(String name, Errors expected, ByteBuffer records) {
        return new Kind(name, expected, MemoryRecords.readableRecords(records));
    }

    private static ByteBuffer plain(long now) {
        return valid(now, 3, CompressionType.NONE);
    }

    /** A v2 batch around {@code section} (the records, compressed for {@code codec}), CRC computed. */
    private static ByteBuffer batch(
            CompressionType codec,
            long now,
            int count,
            int lastOffsetDelta,
            ByteBuffer section,
            Consumer<ByteBuffer> tweak) {
        int size = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + section.remaining();
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.position(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
        buffer.put(section.duplicate());
        buffer.flip();
        DefaultRecordBatch.writeHeader(
                buffer,
                0L,
                lastOffsetDelta,
                size,
                RecordBatch.MAGIC_VALUE_V2,
                codec,
                TimestampType.CREATE_TIME,
                now,
                now,
                RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE,
                false,
                false,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                count);
        buffer.position(0); // writeHeader leaves it after the header
        tweak.accept(buffer);
        return buffer;
    }

    private static ByteBuffer oneRecord(long now, IoWriter writer) {
        return batch(CompressionType.NONE, now, 1, 0, ByteBuffer.wrap(write(writer)), b -> {});
    }

    /** One record whose body is written by {@code writer}, with its length prefix computed. */
    private static ByteBuffer rawBody(long now, IoWriter writer) {
        byte[] body = write(writer);
        return oneRecord(now, out -> {
            writeVarint(out, body.length);
            out.write(body);
        });
    }

    private static ByteBuffer validRecords(int count) {
        ByteBuffer all = ByteBuffer.allocate(0);
        for (int i = 0; i < count; i++) {
            all = concat(all, record(i, 0, ("k" + i).getBytes(StandardCharsets.UTF_8), VALUE));
        }
        return all;
    }

    private static ByteBuffer record(int offsetDelta, long timestampDelta, byte[] key, byte[] value) {
        return ByteBuffer.wrap(write(out -> DefaultRecord.writeTo(
                new DataOutputStream(out),
                offsetDelta,
                timestampDelta,
                key == null ? null : ByteBuffer.wrap(key),
                ByteBuffer.wrap(value),
                new Header[0])));
    }

    /** A record body (no length prefix) with {@code headers} as its header count and no headers after it. */
    private static byte[] body(int offsetDelta, long timestampDelta, byte[] key, byte[] value, int headers) {
        return write(out -> {
            out.write(0);
            writeVarlong(out, timestampDelta);
            writeVarint(out, offsetDelta);
            writeVarint(out, key == null ? -1 : key.length);
            if (key != null) {
                out.write(key);
            }
            writeVarint(out, value.length);
            out.write(value);
            writeVarint(out, headers);
        });
    }

    private static ByteBuffer section(CompressionType codec, ByteBuffer records) {
        if (codec == CompressionType.NONE) {
            return records;
        }
        ByteBufferOutputStream out = new ByteBufferOutputStream(256);
        try (OutputStream compressing = Compression.of(codec).build().wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) {
            compressing.write(bytesOf(records));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.buffer().flip();
    }

    private static ByteBuffer withAttributes(ByteBuffer batch, int attributes) {
        return crcFixed(patch(batch, b -> b.putShort(ATTRIBUTES_OFFSET, (short) attributes)));
    }

    private static ByteBuffer patch(ByteBuffer batch, Consumer<ByteBuffer> change) {
        change.accept(batch);
        return batch;
    }

    private static ByteBuffer crcFixed(ByteBuffer batch) {
        int size = batch.limit();
        batch.putInt(CRC_OFFSET, (int) Crc32C.compute(batch, ATTRIBUTES_OFFSET, size - ATTRIBUTES_OFFSET));
        return batch;
    }

    private static ByteBuffer garbage(int bytes) {
        byte[] out = new byte[bytes];
        new java.util.Random(bytes).nextBytes(out);
        return ByteBuffer.wrap(out);
    }

    private static ByteBuffer concat(ByteBuffer a, ByteBuffer b) {
        return ByteBuffer.allocate(a.remaining() + b.remaining())
                .put(a.duplicate())
                .put(b.duplicate())
                .flip();
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.duplicate().get(out);
        return out;
    }

    @FunctionalInterface
    private interface IoWriter {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(IoWriter writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeVarint(DataOutputStream out, int value) throws IOException {
        ByteUtils.writeVarint(value, out);
    }

    private static void writeVarlong(DataOutputStream out, long value) throws IOException {
        ByteUtils.writeVarlong(value, out);
    }
}
