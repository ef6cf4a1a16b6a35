package io.varve.metadata;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/** Small, fully populated metadata values for tests. */
public final class TestImages {
    public static final Uuid ORDERS_ID = new Uuid(0x1234L, 0x5678L);
    public static final BrokerInfo BROKER_1 = new BrokerInfo(1, "127.0.0.1", 9092, null);
    public static final BrokerInfo BROKER_2 = new BrokerInfo(2, "127.0.0.2", 9092, "rack-b");

    private TestImages() {}

    /** A Pekko incarnation string as nodes register with ({@code UniqueAddress.toString()}). */
    public static String incarnation(int nodeId) {
        return "UniqueAddress(pekko://varve@127.0.0." + nodeId + ":25520," + (1000 + nodeId) + ")";
    }

    public static PartitionRegistration partition(int index, Integer... replicas) {
        return new PartitionRegistration(index, List.of(replicas), List.of(replicas), replicas[0], 0, 0);
    }

    public static TopicImage orders() {
        return new TopicImage(
                "orders",
                ORDERS_ID,
                Map.of(0, partition(0, 1, 2), 1, partition(1, 2, 1)),
                Map.of("retention.ms", "60000"));
    }

    public static MetadataImage image() {
        return new MetadataImage(
                7L,
                "dmFydmUtY2x1c3Rlci0wMQ",
                1,
                Map.of(1, BROKER_1, 2, BROKER_2),
                Map.of("orders", orders()),
                Map.of(ORDERS_ID, "orders"),
                Map.of("", Map.of("log.retention.ms", "1000"), "1", Map.of("background.threads", "9")));
    }
}
