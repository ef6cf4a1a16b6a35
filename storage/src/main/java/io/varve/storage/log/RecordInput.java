package io.varve.storage.log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * The records section of one v2 batch as {@link RecordWalker} reads it: straight from the request
 * buffer for an uncompressed batch ({@link #of(ByteBuffer)}), or from the codec's decompressing
 * stream ({@link #of(InputStream)}). Varints are read with kafka-clients' {@code ByteUtils}; nothing
 * is ever allocated by a size read from the input, so a record claiming gigabytes costs nothing.
 *
 * <p>Failures are unchecked and of two kinds: {@link MalformedRecordException} (the bytes end early
 * or a varint is longer than five/ten bytes: the client's records are wrong) and {@link
 * DecompressionException} (the codec could not decode the payload). Not thread-safe; one walk.
 */
abstract sealed class RecordInput {

    /** The client's record bytes are not well-formed v2 records. */
    static final class MalformedRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedRecordException(String message) {
            super(message, null, false, false);
        }
    }

    /** The compressed payload could not be decompressed. */
    static final class DecompressionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DecompressionException(Throwable cause) {
            super(String.valueOf(cause.getMessage()), cause, false, false);
        }
    }

    static RecordInput of(ByteBuffer records) {
        return new BufferInput(records);
    }

    static RecordInput of(InputStream decompressed) {
        return new StreamInput(decompressed);
    }

    /** Bytes consumed so far. */
    abstract long position();

    abstract byte readByte();

    abstract int readVarint();

    abstract long readVarlong();

    /** Skips {@code n} bytes; {@code n <= 0} skips nothing. */
    abstract void skip(int n);

    /** Whether bytes remain after the records read so far (consumes nothing meaningful). */
    abstract boolean hasRemaining();

    /** Bytes known to remain, or {@code Long.MAX_VALUE} when the input is a stream. */
    abstract long knownRemaining();

    private static final class BufferInput extends RecordInput {
        private final ByteBuffer buffer;
        private final int start;

        BufferInput(ByteBuffer records) {
            this.buffer = records;
            this.start = records.position();
        }

        @Override
        long position() {
            return buffer.position() - start;
        }

        @Override
        byte readByte() {
            if (!buffer.hasRemaining()) {
                throw new MalformedRecordException("the records end in the middle of a record");
            }
            return buffer.get();
        }

        @Override
        int readVarint() {
            try {
                return ByteUtils.readVarint(buffer);
            } catch (BufferUnderflowException e) {
                throw new MalformedRecordException("the records end in the middle of a varint");
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException("malformed varint: " + e.getMessage());
            }
        }

        @Override
        long readVarlong() {
            try {
                return ByteUtils.readVarlong(buffer);
            } catch (BufferUnderflowException e) {
                throw new MalformedRecordException("the records end in the middle of a varlong");
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException("malformed varlong: " + e.getMessage());
            }
        }

        @Override
        void skip(int n) {
            if (n <= 0) {
                return;
            }
            if (n > buffer.remaining()) {
                throw new MalformedRecordException("a field of " + n + " bytes runs past the end of the records ("
                        + buffer.remaining() + " left)");
            }
            buffer.position(buffer.position() + n);
        }

        @Override
        boolean hasRemaining() {
            return buffer.hasRemaining();
        }

        @Override
        long knownRemaining() {
            return buffer.remaining();
        }
    }

    private static final class StreamInput extends RecordInput {
        private final StrictStream in;

        StreamInput(InputStream decompressed) {
            this.in = new StrictStream(decompressed);
        }

        @Override
        long position() {
            return in.count;
        }

        @Override
        byte readByte() {
            return (byte) in.read();
        }

        @Override
        int readVarint() {
            try {
                return ByteUtils.readVarint(in);
            } catch (IOException e) {
                throw new DecompressionException(e); // StrictStream reports every codec failure this way
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException("malformed varint: " + e.getMessage());
            }
        }

        @Override
        long readVarlong() {
            try {
                return ByteUtils.readVarlong(in);
            } catch (IOException e) {
                throw new DecompressionException(e);
            } catch (IllegalArgumentException e) {
                throw new MalformedRecordException("malformed varlong: " + e.getMessage());
            }
        }

        @Override
        void skip(int n) {
            in.skipExactly(n);
        }

        @Override
        boolean hasRemaining() {
            return in.readOrEnd() >= 0;
        }

        @Override
        long knownRemaining() {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The decompressing stream, counting what it hands out; its end inside a record is a {@link
     * MalformedRecordException}, any failure of the codec a {@link DecompressionException}.
     */
    private static final class StrictStream extends InputStream {
        private final InputStream in;
        private final byte[] scratch = new byte[4096];
        long count;

        StrictStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() {
            int b = readOrEnd();
            if (b < 0) {
                throw new MalformedRecordException("the decompressed records end in the middle of a record");
            }
            return b;
        }

        int readOrEnd() {
            int b;
            try {
                b = in.read();
            } catch (IOException | RuntimeException e) {
                throw new DecompressionException(e);
            }
            if (b >= 0) {
                count++;
            }
            return b;
        }

        void skipExactly(int n) {
            int left = n;
            while (left > 0) {
                int read;
                try {
                    read = in.read(scratch, 0, Math.min(left, scratch.length));
                } catch (IOException | RuntimeException e) {
                    throw new DecompressionException(e);
                }
                if (read < 0) {
                    throw new MalformedRecordException(
                            "a field of " + n + " bytes runs past the end of the records (" + (n - left) + " there)");
                }
                left -= read;
                count += read;
            }
        }
    }
}
