package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.testing.RandomCases;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecord;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of valid producer batches, of every codec: bytes of the records flipped,
 * overwritten, cut or inserted before compression (so the damage reaches the record walker through
 * the codec), header and payload bytes damaged after it, with and without a CRC that matches. Whatever
 * the bytes, validation answers (never throws); what it accepts kafka-clients reads record by record;
 * what it rejects leaves the log unchanged and appendable. {@value #CASES} cases, each drawn from a
 * {@link Random} with its own seed ({@link RandomCases}), all appended to one log in a temp dir.
 */
class BatchValidatorMutationTest {
    private static final int CASES = 400;

    private static final long NOW = LogFixture.START_MS;
    private static final List<Errors> VALIDATION_ERRORS = List.of(
            Errors.CORRUPT_MESSAGE,
            Errors.INVALID_RECORD,
            Errors.MESSAGE_TOO_LARGE,
            Errors.UNSUPPORTED_COMPRESSION_TYPE,
            Errors.INVALID_TIMESTAMP);

    private static Path root;
    private static LogFixture fx;
    private static PartitionLog log;

    /** A damage to a byte array: at {@code position} (scaled to the array), of {@code kind}. */
    record Mutation(int kind, double position, byte value, int length) {
        byte[] apply(byte[] bytes) {
            if (bytes.length == 0) {
                return bytes;
            }
            int at = (int) (position * bytes.length) % bytes.length;
            return switch (kind) {
                case 0 -> flipBit(bytes, at);
                case 1 -> set(bytes, at, value);
                case 2 -> Arrays.copyOf(bytes, at);
                case 3 -> insert(bytes, at, length);
                default -> set(bytes, at, (byte) 0xff);
            };
        }

        private byte[] flipBit(byte[] bytes, int at) {
            byte[] out = bytes.clone();
            out[at] ^= (byte) (1 << (value & 7));
            return out;
        }

        private static byte[] set(byte[] bytes, int at, byte b) {
            byte[] out = bytes.clone();
            out[at] = b;
            return out;
        }

        private byte[] insert(byte[] bytes, int at, int n) {
            byte[] out = new byte[bytes.length + n];
            System.arraycopy(bytes, 0, out, 0, at);
            Arrays.fill(out, at, at + n, value);
            System.arraycopy(bytes, at, out, at + n, bytes.length - at);
            return out;
        }
    }

    /** How to build one damaged batch. */
    record Case(
            CompressionType codec,
            int records,
            int valueBytes,
            int headers,
            List<Mutation> beforeCompression,
            List<Mutation> afterCompression,
            boolean fixCrc) {}

    @BeforeAll
    static void openLog() throws IOException {
        root = Files.createTempDirectory("batch-validator-properties");
        fx = new LogFixture(root);
        log = fx.open();
    }

    @AfterAll
    static void closeLog() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(java.io.File::delete);
        }
    }

    @Test
    void damagedBatchesAreRejectedWithAnErrorCodeOrAcceptedWhole() throws IOException {
        Map<String, Integer> outcomes = new TreeMap<>();
        for (long seed : RandomCases.seeds(CASES).toArray()) {
            Case damage = draw(new Random(seed));
            String where = RandomCases.describe(seed, damage);
            Errors outcome;
            try {
                outcome = check(damage, where);
            } catch (IOException | RuntimeException e) {
                throw new AssertionError(where + ": threw " + e, e);
            }
            outcomes.merge(damage.codec() + " " + outcome, 1, Integer::sum);
        }
        System.out.println("BatchValidatorMutationTest outcomes (codec error: cases): " + outcomes);
    }

    /** Appends one damaged batch and checks the outcome; answers the error, NONE when appended. */
    private static Errors check(Case damage, String where) throws IOException {
        MemoryRecords records = MemoryRecords.readableRecords(build(damage));
        long logEndOffset = log.logEndOffset();

        AppendResult result = log.appendAsLeader(records, 0);
        Errors outcome;
        if (result instanceof AppendResult.Rejected rejected) {
            outcome = rejected.error();
            assertThat(rejected.error()).as(where + ": " + rejected.message()).isIn(VALIDATION_ERRORS);
            assertThat(log.logEndOffset())
                    .as(where + ": log end offset after a rejection")
                    .isEqualTo(logEndOffset);
        } else {
            outcome = Errors.NONE;
            AppendResult.Appended appended = (AppendResult.Appended) result;
            RecordBatch stored = log.readRecords(appended.firstOffset(), 1 << 22, Long.MAX_VALUE)
                    .batches()
                    .iterator()
                    .next();
            stored.ensureValid();
            long offset = appended.firstOffset();
            for (Record record : stored) {
                assertThat(record.offset())
                        .as(where + ": offset of a stored record")
                        .isEqualTo(offset++);
                record.headers();
            }
            assertThat(offset)
                    .as(where + ": offset after the last stored record")
                    .isEqualTo(appended.lastOffset() + 1);
        }
        assertThat(fx.append("healthy", 2).lastOffset())
                .as(where + ": last offset of the healthy batch after it")
                .isEqualTo(log.logEndOffset() - 1);
        return outcome;
    }

    /**
     * One case: any codec, 1-12 records of 0-300 value bytes and 0-3 headers, up to 3 mutations
     * before compression and 2 after, the CRC fixed up two times in three.
     */
    private static Case draw(Random random) {
        return new Case(
                RandomCases.oneOf(random, List.of(CompressionType.values())),
                RandomCases.between(random, 1, 12),
                RandomCases.between(random, 0, 300),
                RandomCases.between(random, 0, 3),
                mutations(random, 3),
                mutations(random, 2),
                random.nextInt(3) != 0);
    }

    private static List<Mutation> mutations(Random random, int maxSize) {
        int size = RandomCases.between(random, 0, maxSize);
        List<Mutation> mutations = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            mutations.add(new Mutation(
                    RandomCases.between(random, 0, 4),
                    RandomCases.fraction(random),
                    RandomCases.anyByte(random),
                    RandomCases.between(random, 1, 12)));
        }
        return mutations;
    }

    /** Records written by kafka-clients, damaged, compressed, wrapped in a v2 header, damaged again. */
    private static ByteBuffer build(Case damage) throws IOException {
        byte[] section = recordsSection(damage);
        for (Mutation m : damage.beforeCompression()) {
            section = m.apply(section);
        }
        byte[] payload = compress(damage.codec(), section);
        int size = DefaultRecordBatch.RECORD_BATCH_OVERHEAD + payload.length;
        ByteBuffer batch = ByteBuffer.allocate(size);
        batch.position(DefaultRecordBatch.RECORD_BATCH_OVERHEAD).put(payload).flip();
        DefaultRecordBatch.writeHeader(
                batch,
                0L,
                damage.records() - 1,
                size,
                RecordBatch.MAGIC_VALUE_V2,
                damage.codec(),
                TimestampType.CREATE_TIME,
                NOW,
                NOW,
                RecordBatch.NO_PRODUCER_ID,
                RecordBatch.NO_PRODUCER_EPOCH,
                RecordBatch.NO_SEQUENCE,
                false,
                false,
                false,
                RecordBatch.NO_PARTITION_LEADER_EPOCH,
                damage.records());
        byte[] bytes = batch.array();
        for (Mutation m : damage.afterCompression()) {
            bytes = m.apply(bytes);
        }
        if (damage.fixCrc() && bytes.length > DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            ByteBuffer fixed = ByteBuffer.wrap(bytes);
            fixed.putInt(DefaultRecordBatch.CRC_OFFSET, (int) Crc32C.compute(bytes, 21, bytes.length - 21));
        }
        return ByteBuffer.wrap(bytes);
    }

    private static byte[] recordsSection(Case damage) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (int i = 0; i < damage.records(); i++) {
                Header[] headers = new Header[damage.headers()];
                for (int h = 0; h < headers.length; h++) {
                    headers[h] = new RecordHeader("h" + h, new byte[] {(byte) i});
                }
                DefaultRecord.writeTo(
                        out,
                        i,
                        i,
                        ByteBuffer.wrap(("k" + i).getBytes()),
                        ByteBuffer.wrap(new byte[damage.valueBytes()]),
                        headers);
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] compress(CompressionType codec, byte[] section) throws IOException {
        if (codec == CompressionType.NONE) {
            return section;
        }
        ByteBufferOutputStream out = new ByteBufferOutputStream(256);
        try (OutputStream compressing = Compression.of(codec).build().wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) {
            compressing.write(section);
        }
        ByteBuffer buffer = out.buffer().flip();
        byte[] payload = new byte[buffer.remaining()];
        buffer.get(payload);
        return payload;
    }
}
