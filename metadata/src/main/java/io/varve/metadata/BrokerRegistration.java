package io.varve.metadata;

/**
 * The controller's record of a registered broker: its endpoint, the Pekko incarnation that
 * registered it (the member's unique address, new at every start of the node), its broker epoch (the
 * metadata offset of that registration, as KRaft assigns it) and whether it is fenced (its
 * incarnation left the cluster or was downed). Only unfenced brokers are live: they lead partitions,
 * join ISRs and are shown to clients.
 */
public record BrokerRegistration(BrokerInfo broker, String incarnation, long brokerEpoch, boolean fenced)
        implements VarveSerializable {

    public int nodeId() {
        return broker.nodeId();
    }

    /**
     * The cluster address of the registering member ({@code pekko://varve@host:port}), from its
     * incarnation ({@code UniqueAddress(address,uid)}); empty when the incarnation is not one.
     */
    public String memberAddress() {
        String prefix = "UniqueAddress(";
        int comma = incarnation.lastIndexOf(',');
        return incarnation.startsWith(prefix) && comma > prefix.length()
                ? incarnation.substring(prefix.length(), comma)
                : "";
    }

    public BrokerRegistration asFenced() {
        return new BrokerRegistration(broker, incarnation, brokerEpoch, true);
    }
}
