package io.varve.transport.api.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.replication.ReplicationQuota;
import io.varve.transport.api.BrokerServices;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of the replication throttle on node 1: partition 0 of "moving" is listed for
 * node 1 ({@code 0:1}), replicas 1,2,3 with 1 and 3 in the ISR; partition 1 is not listed.
 */
class LeaderThrottleTest {
    private static final Uuid TOPIC_ID = Uuid.randomUuid();
    private static final TopicIdPartition LISTED = new TopicIdPartition(TOPIC_ID, 0, "moving");
    private static final TopicIdPartition UNLISTED = new TopicIdPartition(TOPIC_ID, 1, "moving");
    private static final List<TopicIdPartition> BOTH = List.of(LISTED, UNLISTED);

    private final AtomicLong nanos = new AtomicLong();
    private final ReplicationQuota quota = new ReplicationQuota(nanos::get);
    private final MetadataCache metadata =
            new MetadataCache(image(5L, Map.of("leader.replication.throttled.rate", "1000")));
    private final BrokerServices services =
            new BrokerServices(1, metadata, null, null, null, null, null, null, null, quota);

    private static MetadataImage image(long offset, Map<String, String> node1Configs) {
        Map<Integer, BrokerInfo> brokers = Map.of(
                1, new BrokerInfo(1, "127.0.0.1", 9092, null),
                2, new BrokerInfo(2, "127.0.0.2", 9092, null),
                3, new BrokerInfo(3, "127.0.0.3", 9092, null));
        Map<Integer, PartitionRegistration> partitions = Map.of(
                0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 3), 1, 4, 7),
                1, new PartitionRegistration(1, List.of(1, 2, 3), List.of(1, 3), 1, 4, 7));
        TopicImage topic =
                new TopicImage("moving", TOPIC_ID, partitions, Map.of("leader.replication.throttled.replicas", "0:1"));
        return new MetadataImage(
                offset,
                "c",
                1,
                brokers,
                Map.of("moving", topic),
                Map.of(TOPIC_ID, "moving"),
                Map.of("1", node1Configs));
    }

    @Test
    void nothingIsHeldBackUntilTheListedBytesSpendTheQuota() {
        LeaderThrottle throttle = LeaderThrottle.of(services, 2);
        assertThat(quota.rate()).isEqualTo(1000);
        assertThat(throttle.heldBack(BOTH)).isEmpty();

        throttle.sent(UNLISTED, 5000); // not listed: not counted
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).isEmpty();

        throttle.sent(LISTED, 1500); // one second's credit and 500 bytes of debt
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).containsExactly(LISTED);
    }

    @Test
    void anInSyncFollowerIsNeverHeldBack() {
        LeaderThrottle.of(services, 2).sent(LISTED, 1500);
        assertThat(LeaderThrottle.of(services, 3).heldBack(BOTH)).isEmpty();
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).containsExactly(LISTED);
    }

    @Test
    void theDebtIsWaitedOutAtTheRate() {
        LeaderThrottle.of(services, 2).sent(LISTED, 1500);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(400));
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).containsExactly(LISTED);
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(101));
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).isEmpty();
    }

    @Test
    void removingTheRateLiftsTheThrottleAtTheNextFetch() {
        LeaderThrottle.of(services, 2).sent(LISTED, 1_000_000);
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).containsExactly(LISTED);
        metadata.update(image(6L, Map.of()));
        assertThat(LeaderThrottle.of(services, 2).heldBack(BOTH)).isEmpty();
        assertThat(quota.isUnlimited()).isTrue();
    }
}
