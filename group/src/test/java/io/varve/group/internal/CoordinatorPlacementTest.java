package io.varve.group.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.CoordinatorPlacement;
import io.varve.metadata.MetadataImage;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.junit.jupiter.api.Test;

/** Every node computes a group's coordinator the way Pekko shards it. */
class CoordinatorPlacementTest {

    @Test
    void theShardOfAGroupIsPekkosOwn() {
        Random random = new Random(7);
        for (int i = 0; i < 10_000; i++) {
            String groupId = "group-" + random.nextLong();
            assertThat(CoordinatorPlacement.shardOf(groupId, 1000))
                    .isEqualTo(Integer.parseInt(ShardRegion.HashCodeMessageExtractor$.MODULE$.shardId(groupId, 1000)));
        }
        // "polygenelubricants".hashCode() is Integer.MIN_VALUE, whose absolute value stays negative
        assertThat("polygenelubricants".hashCode()).isEqualTo(Integer.MIN_VALUE);
        assertThat(CoordinatorPlacement.shardOf("polygenelubricants", 1000))
                .isEqualTo(Integer.parseInt(
                        ShardRegion.HashCodeMessageExtractor$.MODULE$.shardId("polygenelubricants", 1000)));
    }

    @Test
    void shardsGoRoundTheLiveBrokersInIdOrder() {
        MetadataImage image = new MetadataImage(
                1L, "c", 1, Map.of(3, broker(3), 1, broker(1), 7, broker(7)), Map.of(), Map.of(), Map.of());

        assertThat(CoordinatorPlacement.nodeForShard(0, image)).isEqualTo(OptionalInt.of(1));
        assertThat(CoordinatorPlacement.nodeForShard(1, image)).isEqualTo(OptionalInt.of(3));
        assertThat(CoordinatorPlacement.nodeForShard(5, image)).isEqualTo(OptionalInt.of(7));
        assertThat(CoordinatorPlacement.nodeForShard(-648, image)).isEqualTo(OptionalInt.of(1));
        assertThat(CoordinatorPlacement.nodeForShard(0, MetadataImage.empty("c")))
                .isEmpty();
    }

    private static BrokerInfo broker(int id) {
        return new BrokerInfo(id, "h" + id, 9092, null);
    }
}
