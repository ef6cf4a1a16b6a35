package io.varve.transport.codec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.pekko.io.Tcp;
import org.apache.pekko.io.TcpMessage;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * A {@link TransferableChannel} that writes nothing: it turns a kafka-clients {@link Send} into the
 * parts of one Pekko {@code Tcp.WriteCommand}. Buffer writes become {@code Tcp.Write(ByteString)}
 * parts (consecutive buffers merged); file ranges ({@link LogSliceRecords}) become {@code
 * Tcp.WritePath} parts, so record data goes out with {@code sendfile}.
 *
 * <pre>
 *   Send:    [size|header|fields...]  [file range]  [fields...]  [file range] ...
 *   command: Write(bytes)            WritePath      Write(bytes)  WritePath ... (ack on the last)
 * </pre>
 *
 * <p>Not thread-safe: one instance per write, confined to the connection actor that builds it.
 */
public final class TcpWriteChannel implements TransferableChannel {
    private final List<Part> parts = new ArrayList<>();
    private ByteStringBuilder pendingBytes = ByteString.newBuilder();
    private long bufferBytes;
    private long pathBytes;

    private sealed interface Part {}

    private record Bytes(ByteString data) implements Part {}

    private record FileRange(Path file, long position, long count) implements Part {}

    /** Drains {@code send} completely into this channel. */
    public void drain(Send send) throws IOException {
        while (!send.completed()) {
            long written = send.writeTo(this);
            if (written == 0 && !send.completed()) {
                throw new IllegalStateException("send made no progress: " + send);
            }
        }
    }

    /** Appends a file range as a {@code Tcp.WritePath} part. */
    void transferPath(Path file, long position, long count) {
        if (count <= 0) {
            return;
        }
        flushBytes();
        parts.add(new FileRange(file, position, count));
        pathBytes += count;
    }

    public boolean isEmpty() {
        return parts.isEmpty() && pendingBytes.length() == 0;
    }

    public long bufferBytes() {
        return bufferBytes;
    }

    public long pathBytes() {
        return pathBytes;
    }

    /** The collected parts as one write command; {@code ack} is sent once the last part is written. */
    public Tcp.WriteCommand toWriteCommand(Tcp.Event ack) {
        flushBytes();
        List<Tcp.WriteCommand> commands = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            Tcp.Event partAck = i == parts.size() - 1 ? ack : TcpMessage.noAck();
            commands.add(toCommand(parts.get(i), partAck));
        }
        return Tcp.WriteCommand$.MODULE$.create(commands);
    }

    private static Tcp.WriteCommand toCommand(Part part, Tcp.Event ack) {
        if (part instanceof FileRange range) {
            return (Tcp.WriteCommand) TcpMessage.writePath(range.file(), range.position(), range.count(), ack);
        }
        return (Tcp.WriteCommand) TcpMessage.write(((Bytes) part).data(), ack);
    }

    private void flushBytes() {
        if (pendingBytes.length() > 0) {
            parts.add(new Bytes(pendingBytes.result()));
            pendingBytes = ByteString.newBuilder();
        }
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        pendingBytes.append(ByteString.fromByteBuffer(src));
        src.position(src.limit());
        bufferBytes += n;
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

    /** File sections must come as {@link LogSliceRecords}: a {@code FileChannel} has no path. */
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
