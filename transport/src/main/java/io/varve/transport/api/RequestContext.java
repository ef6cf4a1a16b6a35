package io.varve.transport.api;

import java.net.InetSocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/** What a handler knows about a request besides its body: header, peer, and the node's services. */
public record RequestContext(RequestHeader header, InetSocketAddress clientAddress, BrokerServices services) {
    public short apiVersion() {
        return header.apiVersion();
    }
}
