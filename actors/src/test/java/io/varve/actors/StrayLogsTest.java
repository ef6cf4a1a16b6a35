package io.varve.actors;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.storage.checkpoint.PartitionMetadataFile;
import io.varve.storage.log.LogDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A node that was down while topics changed finds stray logs at start: deleted topics, partitions
 * no longer assigned to it, and a re-created topic's old directory (another topic id) are removed;
 * its own partitions stay.
 */
class StrayLogsTest {
    private static final Uuid KEPT = new Uuid(1, 1);
    private static final Uuid RECREATED_OLD = new Uuid(2, 2);
    private static final Uuid RECREATED_NEW = new Uuid(3, 3);
    private static final Uuid MOVED = new Uuid(4, 4);

    @TempDir
    Path dataDir;

    @Test
    void removesEveryLogTheImageDoesNotAssignHere() throws IOException {
        partitionDir("kept-0", KEPT);
        partitionDir("gone-0", new Uuid(9, 9));
        partitionDir("moved-0", MOVED);
        partitionDir("recreated-0", RECREATED_OLD);
        LogDirectory directory = LogDirectory.open(dataDir);
        MetadataImage image = new MetadataImage(
                12L,
                "c",
                1,
                Map.of(1, new BrokerInfo(1, "h", 9092, null), 2, new BrokerInfo(2, "h", 9093, null)),
                Map.of(
                        "kept", topic("kept", KEPT, List.of(1, 2)),
                        "moved", topic("moved", MOVED, List.of(2)),
                        "recreated", topic("recreated", RECREATED_NEW, List.of(2, 1))),
                Map.of(KEPT, "kept", MOVED, "moved", RECREATED_NEW, "recreated"),
                Map.of());

        StrayLogs.remove(directory, image, 1, LoggerFactory.getLogger(StrayLogsTest.class));

        assertThat(directory.existingPartitions()).containsExactly(new TopicPartition("kept", 0));
        assertThat(dataDir.resolve("kept-0/00000000000000000000.log")).exists();
    }

    private void partitionDir(String name, Uuid topicId) throws IOException {
        Path dir = Files.createDirectories(dataDir.resolve(name));
        Files.writeString(dir.resolve("00000000000000000000.log"), "");
        new PartitionMetadataFile(dir.resolve(PartitionMetadataFile.FILE_NAME)).write(topicId);
    }

    private static TopicImage topic(String name, Uuid id, List<Integer> replicas) {
        return new TopicImage(
                name, id, Map.of(0, new PartitionRegistration(0, replicas, replicas, replicas.get(0), 0, 0)), Map.of());
    }
}
