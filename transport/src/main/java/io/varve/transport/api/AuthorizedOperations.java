package io.varve.transport.api;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.utils.Utils;

/**
 * The authorized operations Metadata, DescribeCluster, DescribeGroups and DescribeTopicPartitions
 * report when a client asks for them. Varve has no authorizer, so, as Kafka without one, every
 * operation Kafka defines on the resource type is allowed (the bit fields of Kafka's AuthHelper over
 * AclEntry's supported operations). {@link Integer#MIN_VALUE} is the protocol's "not asked".
 */
public final class AuthorizedOperations {
    /** The protocol's default: operations were not requested. */
    public static final int NOT_REQUESTED = Integer.MIN_VALUE;

    public static final int TOPIC = bits(
            AclOperation.READ,
            AclOperation.WRITE,
            AclOperation.CREATE,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);

    /** Kafka 4 added group configs (KIP-848): DESCRIBE_CONFIGS and ALTER_CONFIGS apply to groups too. */
    public static final int GROUP = bits(
            AclOperation.READ,
            AclOperation.DESCRIBE,
            AclOperation.DELETE,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS);

    public static final int CLUSTER = bits(
            AclOperation.CREATE,
            AclOperation.CLUSTER_ACTION,
            AclOperation.DESCRIBE_CONFIGS,
            AclOperation.ALTER_CONFIGS,
            AclOperation.IDEMPOTENT_WRITE,
            AclOperation.ALTER,
            AclOperation.DESCRIBE);

    private AuthorizedOperations() {}

    /** {@code operations} when {@code requested}, else {@link #NOT_REQUESTED}. */
    public static int ifRequested(boolean requested, int operations) {
        return requested ? operations : NOT_REQUESTED;
    }

    /** The operations of a bit field, for tests and descriptions. */
    public static Set<Byte> codes(int operations) {
        return Utils.from32BitField(operations);
    }

    private static int bits(AclOperation... operations) {
        return Utils.to32BitField(Stream.of(operations).map(AclOperation::code).collect(Collectors.toSet()));
    }
}
