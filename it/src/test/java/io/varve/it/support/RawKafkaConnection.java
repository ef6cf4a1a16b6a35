package io.varve.it.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One blocking TCP connection that sends single Kafka requests built and parsed by kafka-clients'
 * own request and response classes. For APIs the 4.x {@code Admin} no longer offers (the legacy
 * AlterConfigs) and for asserting raw error codes. Not thread-safe; one request at a time.
 */
public final class RawKafkaConnection implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;

    private final Socket socket;
    private int nextCorrelationId;

    private RawKafkaConnection(Socket socket) {
        this.socket = socket;
    }

    public static RawKafkaConnection open(VarveCluster cluster) throws IOException {
        return open(cluster.bootstrapServers());
    }

    /** To {@code host:port}. */
    public static RawKafkaConnection open(String bootstrapServers) throws IOException {
        String[] hostPort = bootstrapServers.split(":");
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return new RawKafkaConnection(socket);
    }

    /** Sends {@code request} at its built version and returns the parsed response. */
    @SuppressWarnings("unchecked")
    public <R extends AbstractResponse> R send(AbstractRequest request) throws IOException {
        RequestHeader header =
                new RequestHeader(request.apiKey(), request.version(), "varve-it-raw", nextCorrelationId++);
        ByteBuffer body = request.serializeWithHeader(header);
        OutputStream out = socket.getOutputStream();
        out.write(ByteBuffer.allocate(4).putInt(body.remaining()).array());
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        out.write(bytes);
        out.flush();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        return (R) AbstractResponse.parseResponse(ByteBuffer.wrap(frame), header);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
