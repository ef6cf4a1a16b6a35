package io.varve.partition.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ReplicationThrottlesTest {
    private static final Uuid ID = Uuid.randomUuid();
    private static final TopicPartition P0 = new TopicPartition("moving", 0);
    private static final TopicPartition P1 = new TopicPartition("moving", 1);

    private static MetadataImage image(
            Map<String, String> topicConfigs, Map<String, Map<String, String>> brokerConfigs) {
        Map<Integer, PartitionRegistration> partitions = Map.of(
                0, new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2), 1, 3, 5),
                1, new PartitionRegistration(1, List.of(1, 2, 3), List.of(1, 2, 3), 1, 3, 5));
        TopicImage topic = new TopicImage("moving", ID, partitions, topicConfigs);
        return new MetadataImage(1L, "c", 1, Map.of(), Map.of("moving", topic), Map.of(ID, "moving"), brokerConfigs);
    }

    @Test
    void aNodesOwnRateComesBeforeTheClusterWideOneAndNoneIsUnlimited() {
        MetadataImage image = image(
                Map.of(),
                Map.of(
                        MetadataImage.CLUSTER_LEVEL,
                        Map.of("leader.replication.throttled.rate", "500"),
                        "2",
                        Map.of("leader.replication.throttled.rate", "700")));
        assertThat(ReplicationThrottles.leaderRate(image, 1)).isEqualTo(500);
        assertThat(ReplicationThrottles.leaderRate(image, 2)).isEqualTo(700);
        assertThat(ReplicationThrottles.followerRate(image, 2)).isEqualTo(ReplicationQuota.UNLIMITED);
    }

    @Test
    void listedReplicasAndTheIsrComeFromTheImage() {
        MetadataImage image = image(
                Map.of("leader.replication.throttled.replicas", "*", "follower.replication.throttled.replicas", "0:3"),
                Map.of());
        assertThat(ReplicationThrottles.isLeaderListed(image, P0, 1)).isTrue();
        assertThat(ReplicationThrottles.isLeaderListed(image, P1, 2)).isTrue();
        assertThat(ReplicationThrottles.isFollowerListed(image, P0, 3)).isTrue();
        assertThat(ReplicationThrottles.isFollowerListed(image, P1, 3)).isFalse();
        assertThat(ReplicationThrottles.isFollowerListed(image, P0, 2)).isFalse();
        assertThat(ReplicationThrottles.isInSync(image, P0, 3)).isFalse();
        assertThat(ReplicationThrottles.isInSync(image, P1, 3)).isTrue();
        assertThat(ReplicationThrottles.isLeaderListed(image, new TopicPartition("other", 0), 1))
                .isFalse();
        assertThat(ReplicationThrottles.isInSync(image, new TopicPartition("other", 0), 1))
                .isFalse();
    }
}
