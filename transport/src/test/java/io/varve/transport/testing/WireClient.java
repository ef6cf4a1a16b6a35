package io.varve.transport.testing;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A raw blocking Kafka client over a {@link SocketChannel}: writes size-prefixed requests (or any
 * bytes) and reads size-prefixed responses, with a read timeout so a missing answer fails the test.
 */
public final class WireClient implements AutoCloseable {
    private final SocketChannel channel;
    private final DataInputStream in;

    public WireClient(InetSocketAddress address) throws IOException {
        this(address, 0);
    }

    /**
     * With a receive buffer of {@code receiveBufferBytes} (0: the system's): a small one makes the
     * broker's writes fill the socket, so its partial-write path runs.
     */
    public WireClient(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        channel = SocketChannel.open();
        if (receiveBufferBytes > 0) {
            // before connecting, so the advertised window is small from the start
            channel.socket().setReceiveBufferSize(receiveBufferBytes);
        }
        channel.connect(address);
        channel.socket().setTcpNoDelay(true);
        channel.socket().setSoTimeout(10_000);
        in = new DataInputStream(new BufferedInputStream(channel.socket().getInputStream()));
    }

    public static RequestHeader header(AbstractRequest request, int correlationId) {
        return new RequestHeader(request.apiKey(), request.version(), "wire-test", correlationId);
    }

    /** The request as it goes on the wire: size, header, body. */
    public static byte[] frame(AbstractRequest request, int correlationId) {
        ByteBuffer payload = request.serializeWithHeader(header(request, correlationId));
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining())
                .putInt(payload.remaining())
                .put(payload);
        return frame.array();
    }

    public void send(AbstractRequest request, int correlationId) throws IOException {
        write(frame(request, correlationId));
    }

    public void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads one response frame and decodes it as the answer to {@code request} with that correlation id. */
    public AbstractResponse receive(AbstractRequest request, int correlationId) throws IOException {
        return AbstractResponse.parseResponse(receiveFrame(), header(request, correlationId));
    }

    public ByteBuffer receiveFrame() throws IOException {
        int size = in.readInt();
        byte[] payload = new byte[size];
        in.readFully(payload);
        return ByteBuffer.wrap(payload);
    }

    /** True once the broker closed the connection (end of stream), false if it is still open. */
    public boolean isClosedByBroker() throws IOException {
        try {
            return in.read() == -1;
        } catch (EOFException | java.net.SocketException e) {
            return true;
        }
    }

    /** True if nothing arrives within {@code timeoutMs}. */
    public boolean isSilentFor(int timeoutMs) throws IOException {
        channel.socket().setSoTimeout(timeoutMs);
        try {
            in.mark(1);
            in.read();
            in.reset();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            channel.socket().setSoTimeout(10_000);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
