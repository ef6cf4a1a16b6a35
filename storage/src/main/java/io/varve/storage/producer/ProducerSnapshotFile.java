package io.varve.storage.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.NavigableMap;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.kafka.common.protocol.types.ArrayOf;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.SchemaException;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;

/**
 * Reads and writes a producer state snapshot: the file {@code <offset>.snapshot} in a partition's log
 * directory, named by the 20-digit zero-padded log offset the state reflects, in Apache Kafka's
 * format (its {@code ProducerSnapshot} message, version 1), so that Kafka's own tools read it:
 *
 * <pre>
 * +------------------+-----------------------------------------------------------+
 * | Version   int16  | 1                                                         |
 * | Crc       uint32 | CRC-32C of every byte after this field                    |
 * | Count     int32  | number of producer entries, then per entry:               |
 * |   ProducerId            int64                                                |
 * |   ProducerEpoch         int16                                                |
 * |   LastSequence          int32  NO_SEQUENCE (-1) when no batch is known       |
 * |   LastOffset            int64  -1 when no batch is known                     |
 * |   OffsetDelta           int32  last offset - first offset of the last batch  |
 * |   Timestamp             int64  max timestamp of the last write               |
 * |   CoordinatorEpoch      int32                                                |
 * |   CurrentTxnFirstOffset int64  -1 when no transaction is ongoing             |
 * +------------------+-----------------------------------------------------------+
 * </pre>
 *
 * Big-endian throughout. Only the newest batch of each producer is stored, as in Kafka: an entry read
 * back retains one batch, so retries of older batches are no longer recognised after a reload.
 *
 * <p>A file is written whole to {@code <name>.tmp}, forced to disk, renamed into place atomically and
 * the directory forced, so a crash leaves either no snapshot or a complete one. Stateless; the
 * calling thread does blocking file I/O.
 */
public final class ProducerSnapshotFile {

    /** The suffix of a snapshot file name. */
    public static final String SUFFIX = ".snapshot";

    /** The suffix of a snapshot being written. */
    public static final String TMP_SUFFIX = SUFFIX + ".tmp";

    static final short VERSION = 1;

    /** The size of the Version and Crc fields; the CRC covers everything after them. */
    private static final int CRC_START = 6;

    private static final Pattern FILE_NAME = Pattern.compile("(\\d{20})" + Pattern.quote(SUFFIX));

    private static final String PRODUCER_ID = "producer_id";
    private static final String PRODUCER_EPOCH = "epoch";
    private static final String LAST_SEQUENCE = "last_sequence";
    private static final String LAST_OFFSET = "last_offset";
    private static final String OFFSET_DELTA = "offset_delta";
    private static final String TIMESTAMP = "timestamp";
    private static final String COORDINATOR_EPOCH = "coordinator_epoch";
    private static final String CURRENT_TXN_FIRST_OFFSET = "current_txn_first_offset";
    private static final String SNAPSHOT_VERSION = "version";
    private static final String CRC = "crc";
    private static final String PRODUCER_ENTRIES = "producer_entries";

    private static final Schema ENTRY_SCHEMA = new Schema(
            new Field(PRODUCER_ID, Type.INT64, "The producer id"),
            new Field(PRODUCER_EPOCH, Type.INT16, "The current epoch of the producer"),
            new Field(LAST_SEQUENCE, Type.INT32, "The last sequence the producer wrote"),
            new Field(LAST_OFFSET, Type.INT64, "The last offset the producer wrote"),
            new Field(OFFSET_DELTA, Type.INT32, "Last offset minus first offset of the last batch"),
            new Field(TIMESTAMP, Type.INT64, "The max timestamp of the last write"),
            new Field(COORDINATOR_EPOCH, Type.INT32, "The coordinator epoch of the last transaction marker"),
            new Field(CURRENT_TXN_FIRST_OFFSET, Type.INT64, "The first offset of the ongoing transaction, or -1"));

    private static final Schema SNAPSHOT_SCHEMA = new Schema(
            new Field(SNAPSHOT_VERSION, Type.INT16, "The snapshot format version"),
            new Field(CRC, Type.UNSIGNED_INT32, "CRC-32C of the rest of the file"),
            new Field(PRODUCER_ENTRIES, new ArrayOf(ENTRY_SCHEMA), "The producer entries"));

    private ProducerSnapshotFile() {}

    /** The path of the snapshot for {@code offset} in {@code logDir}. */
    public static Path path(Path logDir, long offset) {
        return logDir.resolve(fileName(offset));
    }

    /** {@code 00000000000000000042.snapshot} for offset 42. */
    public static String fileName(long offset) {
        return String.format("%020d%s", offset, SUFFIX);
    }

    /** The offset a snapshot file is named after, or empty if {@code file} is not a snapshot. */
    public static OptionalLong offsetOf(Path file) {
        Matcher matcher = FILE_NAME.matcher(file.getFileName().toString());
        return matcher.matches() ? OptionalLong.of(Long.parseLong(matcher.group(1))) : OptionalLong.empty();
    }

    /** The snapshot files in {@code logDir} by offset; empty if the directory does not exist. */
    public static NavigableMap<Long, Path> list(Path logDir) throws IOException {
        NavigableMap<Long, Path> snapshots = new TreeMap<>();
        if (!Files.isDirectory(logDir)) {
            return snapshots;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(logDir)) {
            for (Path file : files) {
                OptionalLong offset = offsetOf(file);
                if (offset.isPresent()) {
                    snapshots.put(offset.getAsLong(), file);
                }
            }
        }
        return snapshots;
    }

    /** Writes {@code entries} to {@code file} atomically, replacing any file of that name. */
    public static void write(Path file, Collection<ProducerEntry> entries) throws IOException {
        ByteBuffer content = encode(entries);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(
                    tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                while (content.hasRemaining()) {
                    channel.write(content);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        forceDirectory(file.toAbsolutePath().getParent());
    }

    /**
     * Reads the entries of a snapshot file.
     *
     * @throws CorruptSnapshotException if the version is unknown, the CRC does not match or the
     *     content is malformed
     */
    public static List<ProducerEntry> read(Path file) throws IOException {
        try {
            return decode(ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (CorruptSnapshotException e) {
            throw new CorruptSnapshotException("snapshot " + file + ": " + e.getMessage());
        }
    }

    static ByteBuffer encode(Collection<ProducerEntry> entries) {
        Struct snapshot = new Struct(SNAPSHOT_SCHEMA);
        snapshot.set(SNAPSHOT_VERSION, VERSION);
        snapshot.set(CRC, 0L);
        snapshot.set(
                PRODUCER_ENTRIES,
                entries.stream().map(ProducerSnapshotFile::toStruct).toArray());
        ByteBuffer buffer = ByteBuffer.allocate(snapshot.sizeOf());
        snapshot.writeTo(buffer);
        buffer.flip();
        buffer.putInt(Short.BYTES, (int) crcOf(buffer));
        return buffer;
    }

    static List<ProducerEntry> decode(ByteBuffer buffer) throws CorruptSnapshotException {
        if (buffer.remaining() < CRC_START) {
            throw new CorruptSnapshotException(
                    "only " + buffer.remaining() + " bytes, the header alone has " + CRC_START);
        }
        short version = buffer.getShort(buffer.position());
        if (version != VERSION) {
            throw new CorruptSnapshotException("unsupported version " + version + ", expected " + VERSION);
        }
        long storedCrc = Integer.toUnsignedLong(buffer.getInt(buffer.position() + Short.BYTES));
        long computedCrc = crcOf(buffer);
        if (storedCrc != computedCrc) {
            throw new CorruptSnapshotException("stored CRC " + storedCrc + " != computed CRC " + computedCrc);
        }
        try {
            Struct snapshot = SNAPSHOT_SCHEMA.read(buffer);
            if (buffer.hasRemaining()) {
                throw new CorruptSnapshotException(buffer.remaining() + " trailing bytes after the last entry");
            }
            List<ProducerEntry> entries = new ArrayList<>();
            for (Object entry : snapshot.getArray(PRODUCER_ENTRIES)) {
                entries.add(fromStruct((Struct) entry));
            }
            return entries;
        } catch (SchemaException | IllegalArgumentException e) {
            throw new CorruptSnapshotException("malformed content: " + e.getMessage());
        }
    }

    private static Struct toStruct(ProducerEntry entry) {
        Struct struct = new Struct(ENTRY_SCHEMA);
        struct.set(PRODUCER_ID, entry.producerId());
        struct.set(PRODUCER_EPOCH, entry.producerEpoch());
        struct.set(LAST_SEQUENCE, entry.lastSeq());
        struct.set(LAST_OFFSET, entry.lastOffset());
        struct.set(OFFSET_DELTA, entry.lastOffsetDelta());
        struct.set(TIMESTAMP, entry.lastTimestamp());
        struct.set(COORDINATOR_EPOCH, entry.coordinatorEpoch());
        struct.set(CURRENT_TXN_FIRST_OFFSET, entry.currentTxnFirstOffset().orElse(-1L));
        return struct;
    }

    private static ProducerEntry fromStruct(Struct struct) {
        long lastOffset = struct.getLong(LAST_OFFSET);
        long timestamp = struct.getLong(TIMESTAMP);
        long txnFirstOffset = struct.getLong(CURRENT_TXN_FIRST_OFFSET);
        // As in Kafka, a negative last offset means the producer had no batch, only its epoch.
        List<BatchMetadata> batches = lastOffset < 0
                ? List.of()
                : List.of(BatchMetadata.ofLast(
                        struct.getInt(LAST_SEQUENCE), lastOffset, struct.getInt(OFFSET_DELTA), timestamp));
        return new ProducerEntry(
                struct.getLong(PRODUCER_ID),
                struct.getShort(PRODUCER_EPOCH),
                batches,
                timestamp,
                struct.getInt(COORDINATOR_EPOCH),
                txnFirstOffset < 0 ? OptionalLong.empty() : OptionalLong.of(txnFirstOffset));
    }

    private static long crcOf(ByteBuffer buffer) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(buffer.position() + CRC_START));
        return crc.getValue();
    }

    private static void forceDirectory(Path dir) throws IOException {
        // The rename is only durable once the directory entry is on disk.
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
