package io.varve.metadata;

/** A broker as clients see it: node id and the Kafka listener's host and port. */
public record BrokerInfo(int nodeId, String host, int port, String rack) implements VarveSerializable {}
