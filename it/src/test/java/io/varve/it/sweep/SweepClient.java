package io.varve.it.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * The sweep's connection to the node's real listener: sends a request body ({@code *RequestData})
 * at an exact version, as a client of that version would put it on the wire, and decodes the answer
 * at that version with kafka-clients' own response classes. Every answer must decode completely (no
 * byte left over) and carry no UNKNOWN_SERVER_ERROR anywhere. Records each (key, version) it got an
 * answer for in the sweep's {@link Coverage}. Not thread-safe.
 */
final class SweepClient implements AutoCloseable {
    private static final int READ_TIMEOUT_MS = 30_000;

    private final Socket socket;
    private final Coverage coverage;
    private int nextCorrelationId;

    private SweepClient(Socket socket, Coverage coverage) {
        this.socket = socket;
        this.coverage = coverage;
    }

    static SweepClient open(String bootstrapServers, Coverage coverage) throws IOException {
        String[] hostPort = bootstrapServers.split(":");
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])), READ_TIMEOUT_MS);
        socket.setSoTimeout(READ_TIMEOUT_MS);
        return new SweepClient(socket, coverage);
    }

    /** Sends {@code body} as {@code key} at {@code version} and returns the decoded answer. */
    @SuppressWarnings("unchecked")
    <R extends AbstractResponse> R send(ApiKeys key, short version, ApiMessage body) throws IOException {
        RequestHeader header = write(key, version, body);
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        ResponseHeader responseHeader = ResponseHeader.parse(buffer, key.responseHeaderVersion(version));
        assertThat(responseHeader.correlationId())
                .as("correlation id of %s v%d", key, version)
                .isEqualTo(header.correlationId());
        AbstractResponse response = AbstractResponse.parseResponse(key, new ByteBufferAccessor(buffer), version);
        assertThat(buffer.remaining())
                .as("bytes left after decoding %s v%d", key, version)
                .isZero();
        assertThat(response.errorCounts())
                .as("%s v%d answered %s", key, version, response)
                .doesNotContainKey(Errors.UNKNOWN_SERVER_ERROR);
        coverage.record(key, version);
        return (R) response;
    }

    /**
     * Sends a request that gets no answer (Produce with acks=0); the next answer's correlation id check
     * proves the connection is still in step.
     */
    void sendWithoutResponse(ApiKeys key, short version, ApiMessage body) throws IOException {
        write(key, version, body);
        coverage.record(key, version);
    }

    private RequestHeader write(ApiKeys key, short version, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(key, version, "varve-sweep", nextCorrelationId++);
        ByteBuffer bytes = RequestUtils.serialize(header.data(), header.headerVersion(), body, version);
        OutputStream out = socket.getOutputStream();
        out.write(ByteBuffer.allocate(4).putInt(bytes.remaining()).array());
        byte[] payload = new byte[bytes.remaining()];
        bytes.get(payload);
        out.write(payload);
        out.flush();
        return header;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
