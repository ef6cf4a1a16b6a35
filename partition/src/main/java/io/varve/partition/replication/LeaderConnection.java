package io.varve.partition.replication;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A follower's blocking connection to its leader's Kafka listener: one request at a time, framed as
 * Kafka frames them (a 4-byte size, then the header and body), encoded and decoded by kafka-clients.
 * The response is read whole into a fresh heap buffer, so record batches handed on as {@code
 * MemoryRecords} views stay valid. Owned by one {@link ReplicaFetcher} thread; not thread-safe except
 * {@link #close}, which another thread may call to interrupt a blocked read.
 */
final class LeaderConnection implements AutoCloseable {
    private final String clientId;
    private volatile Socket socket;
    private DataInputStream in;
    private DataOutputStream out;
    private String endpoint;
    private int correlationId;

    LeaderConnection(String clientId) {
        this.clientId = clientId;
    }

    /** Connects to {@code host:port} unless already connected there. */
    void ensureConnected(String host, int port, int connectTimeoutMs) throws IOException {
        String wanted = host + ":" + port;
        if (socket != null && wanted.equals(endpoint) && !socket.isClosed()) {
            return;
        }
        close();
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setKeepAlive(true);
        s.setReceiveBufferSize(1 << 20);
        s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
        socket = s;
        in = new DataInputStream(s.getInputStream());
        out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 64 * 1024));
        endpoint = wanted;
    }

    /** Sends {@code request} and waits up to {@code timeoutMs} for its response. */
    AbstractResponse send(AbstractRequest request, int timeoutMs) throws IOException {
        ApiKeys key = request.apiKey();
        RequestHeader header = new RequestHeader(key, request.version(), clientId, correlationId++);
        ByteBuffer frame = request.serializeWithHeader(header);
        socket.setSoTimeout(timeoutMs);
        byte[] bytes = new byte[frame.remaining()];
        frame.get(bytes);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("negative response size " + size + " from " + endpoint);
        }
        byte[] body = new byte[size];
        in.readFully(body);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        endpoint = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing: nothing left to do with it
            }
        }
    }
}
