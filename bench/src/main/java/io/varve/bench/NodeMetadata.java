package io.varve.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One node's answer to a Metadata request for every topic, asked of that node alone over its own TCP
 * connection (a client's Admin would pick any node): how many partitions it names, how many have a
 * leader among {@code liveNodes}, which controller it names, the answer's size in bytes and how long
 * it took. Built and parsed by kafka-clients' own request and response classes. Used by {@link
 * ScaleProbe}, on its thread.
 */
record NodeMetadata(
        int node,
        int topics,
        int partitions,
        int ledByLive,
        int controllerId,
        Set<String> topicNames,
        int bytes,
        long micros) {
    private static final short VERSION = 12;
    private static final int TIMEOUT_MS = 120_000;

    static NodeMetadata ask(int node, String host, int port, Set<Integer> liveNodes) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            MetadataRequest request = MetadataRequest.Builder.allTopics().build(VERSION);
            RequestHeader header = new RequestHeader(request.apiKey(), VERSION, "varve-scale-probe", 1);
            ByteBuffer body = request.serializeWithHeader(header);
            byte[] bytes = new byte[body.remaining()];
            body.get(bytes);
            long start = System.nanoTime();
            OutputStream out = socket.getOutputStream();
            out.write(ByteBuffer.allocate(4).putInt(bytes.length).array());
            out.write(bytes);
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            long micros = (System.nanoTime() - start) / 1000;
            MetadataResponse response =
                    (MetadataResponse) AbstractResponse.parseResponse(ByteBuffer.wrap(frame), header);
            return of(node, response, liveNodes, frame.length, micros);
        }
    }

    private static NodeMetadata of(
            int node, MetadataResponse response, Set<Integer> liveNodes, int bytes, long micros) {
        int partitions = 0;
        int led = 0;
        Set<String> names = new HashSet<>();
        for (MetadataResponseTopic topic : response.data().topics()) {
            names.add(topic.name());
            for (MetadataResponsePartition partition : topic.partitions()) {
                partitions++;
                if (partition.errorCode() == Errors.NONE.code() && liveNodes.contains(partition.leaderId())) {
                    led++;
                }
            }
        }
        return new NodeMetadata(
                node, names.size(), partitions, led, response.data().controllerId(), names, bytes, micros);
    }

    @Override
    public String toString() {
        return "node " + node + ": " + topics + " topics, " + partitions + " partitions, " + ledByLive
                + " led by a live node, controller " + controllerId + ", " + bytes + " bytes in " + micros / 1000
                + " ms";
    }
}
