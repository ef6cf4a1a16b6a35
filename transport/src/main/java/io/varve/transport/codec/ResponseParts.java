package io.varve.transport.codec;

import io.varve.storage.log.RetainedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A {@link TransferableChannel} that writes nothing: it turns a kafka-clients {@link Send} (an encoded
 * response) into the parts a connection writes, in order. Buffer writes become {@link Bytes} parts
 * (views of kafka-clients' buffers, not copies); record sections held as file ranges ({@link
 * LogSliceRecords}) become {@link FileRegion} parts, which the connection sends with {@code sendfile}.
 *
 * <pre>
 *   Send:   [size|header|fields...]  [file range]  [fields...]  [file range] ...
 *   parts:  Bytes                    FileRegion    Bytes        FileRegion  ...
 * </pre>
 *
 * <p>Not thread-safe: one instance per response, filled and then handed to one connection, which
 * owns the retained files of its file regions from then on: it releases each once sent, or when it
 * closes with the region unsent.
 */
public final class ResponseParts implements TransferableChannel {
    private final List<Part> parts = new ArrayList<>();
    private long bufferBytes;
    private long fileBytes;

    /** One piece of a response, written in order. */
    public sealed interface Part {}

    /** Bytes from the heap; the buffer's position advances as they are written. */
    public record Bytes(ByteBuffer buffer) implements Part {}

    /**
     * {@code count} bytes of a segment file from {@code position}, sent with {@code sendfile} from
     * the open, retained {@code file}; the sender releases it when the region is sent or dropped.
     */
    public record FileRegion(RetainedFile file, long position, long count) implements Part {}

    /** The parts of {@code send}, drained completely. */
    public static ResponseParts of(Send send) throws IOException {
        ResponseParts parts = new ResponseParts();
        while (!send.completed()) {
            long written = send.writeTo(parts);
            if (written == 0 && !send.completed()) {
                throw new IllegalStateException("send made no progress: " + send);
            }
        }
        return parts;
    }

    public List<Part> parts() {
        return parts;
    }

    public long bufferBytes() {
        return bufferBytes;
    }

    public long fileBytes() {
        return fileBytes;
    }

    /** Appends a file range; called by {@link LogSliceSend}. */
    void transferFile(RetainedFile file, long position, long count) {
        if (count > 0) {
            parts.add(new FileRegion(file, position, count));
            fileBytes += count;
        }
    }

    /** Releases the files of every file region: the response will not be sent. */
    public void release() {
        for (Part part : parts) {
            if (part instanceof FileRegion region) {
                region.file().release();
            }
        }
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        if (n > 0) {
            parts.add(new Bytes(src.slice()));
            src.position(src.limit());
            bufferBytes += n;
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs) {
        return write(srcs, 0, srcs.length);
    }

    /** File sections must come as {@link LogSliceRecords}, which carry a retained file. */
    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) {
        throw new UnsupportedOperationException("file record sections must be LogSliceRecords, not FileRecords");
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {}
}
