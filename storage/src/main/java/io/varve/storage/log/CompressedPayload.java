package io.varve.storage.log;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Opens the compressed records section of a batch for reading with kafka-clients' own codecs, after
 * checking what a codec would otherwise trust blindly. snappy-java allocates each chunk, and each
 * raw block's output, at the size the stream announces (up to 512 MiB), before reading it; a
 * 40-byte batch could make a storage thread allocate half a gigabyte. So a snappy payload must
 * announce only chunks that lie inside it, and block outputs no larger than snappy can produce from
 * their input ({@value #SNAPPY_MAX_EXPANSION} times: a 3-byte copy element yields at most 64
 * bytes). LZ4 blocks are bounded to 4 MiB by Kafka's frame reader; gzip and zstd stream.
 *
 * <pre>
 *   snappy (xerial framing): | 0x82 "SNAPPY" 0x00 | version int32 | compatible int32 | ( length int32 | raw block )* |
 *   raw block:               | uncompressed length (unsigned varint, 7 bits a byte) | elements |
 * </pre>
 *
 * The decompression buffers come from one {@link BufferSupplier} per storage thread.
 */
final class CompressedPayload {
    static final int SNAPPY_MAX_EXPANSION = 32;

    private static final byte[] SNAPPY_MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int SNAPPY_HEADER_BYTES = SNAPPY_MAGIC.length + 8;
    private static final Map<CompressionType, Compression> CODECS = new EnumMap<>(CompressionType.class);
    private static final ThreadLocal<BufferSupplier> BUFFERS = ThreadLocal.withInitial(BufferSupplier::create);

    static {
        for (CompressionType type : CompressionType.values()) {
            CODECS.put(type, Compression.of(type).build());
        }
    }

    private CompressedPayload() {}

    /** Why {@code payload} cannot be safely decompressed with {@code type}, or {@code null}. */
    static String precheck(CompressionType type, ByteBuffer payload) {
        return type == CompressionType.SNAPPY ? snappyProblem(payload.duplicate()) : null;
    }

    /** The decompressing stream over {@code payload} (a records section of a v2 batch). */
    static InputStream open(CompressionType type, ByteBuffer payload) {
        return CODECS.get(type).wrapForInput(payload.duplicate(), RecordBatch.MAGIC_VALUE_V2, BUFFERS.get());
    }

    private static String snappyProblem(ByteBuffer in) {
        if (!startsWithMagic(in)) {
            return rawBlockProblem(in, in.remaining()); // snappy-java reads an unframed payload as one raw block
        }
        while (in.hasRemaining()) {
            if (startsWithMagic(in)) { // xerial streams may be concatenated
                if (in.remaining() < SNAPPY_HEADER_BYTES) {
                    return "a snappy stream header is cut short";
                }
                in.position(in.position() + SNAPPY_HEADER_BYTES);
                continue;
            }
            if (in.remaining() < Integer.BYTES) {
                return "a snappy chunk length is cut short";
            }
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                return "a snappy chunk announces " + length + " bytes but " + in.remaining() + " remain";
            }
            String problem = rawBlockProblem(in.slice().limit(length), length);
            if (problem != null) {
                return problem;
            }
            in.position(in.position() + length);
        }
        return null;
    }

    private static String rawBlockProblem(ByteBuffer block, int blockBytes) {
        long uncompressed = 0;
        for (int shift = 0; shift <= 28; shift += 7) {
            if (!block.hasRemaining()) {
                return "a snappy block's length is cut short";
            }
            int b = block.get() & 0xff;
            uncompressed |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                long bound = (long) blockBytes * SNAPPY_MAX_EXPANSION;
                return uncompressed <= bound
                        ? null
                        : "a snappy block of " + blockBytes + " bytes announces " + uncompressed
                                + " uncompressed bytes, more than snappy can produce from it (" + bound + ")";
            }
        }
        return "a snappy block's length varint is longer than 5 bytes";
    }

    private static boolean startsWithMagic(ByteBuffer in) {
        if (in.remaining() < SNAPPY_MAGIC.length) {
            return false;
        }
        for (int i = 0; i < SNAPPY_MAGIC.length; i++) {
            if (in.get(in.position() + i) != SNAPPY_MAGIC[i]) {
                return false;
            }
        }
        return true;
    }
}
