package io.varve.actors;

import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.storage.checkpoint.PartitionMetadataFile;
import io.varve.storage.log.LogDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;

/**
 * Removes the stray logs of a data directory (Kafka's stray-replica cleanup): partition directories
 * that the metadata image does not assign to this node — its topic was deleted while the node was
 * down, or the partition moved away — or that belong to another topic id (a deleted topic re-created
 * under the same name). Called once, with the first complete image, before any partition of it is
 * hosted. Blocking file work: run it on the storage dispatcher. Stateless.
 */
final class StrayLogs {
    private StrayLogs() {}

    static void remove(LogDirectory logDirectory, MetadataImage image, int nodeId, Logger log) {
        try {
            for (TopicPartition tp : logDirectory.existingPartitions()) {
                Optional<String> reason = strayReason(logDirectory, image, nodeId, tp);
                if (reason.isPresent()) {
                    log.info("removing the stray log of {}: {}", tp, reason.get());
                    deleteRecursively(logDirectory.partitionDir(tp));
                }
            }
        } catch (IOException e) {
            log.error("looking for stray logs in {} failed", logDirectory.path(), e);
        }
    }

    private static Optional<String> strayReason(
            LogDirectory logDirectory, MetadataImage image, int nodeId, TopicPartition tp) throws IOException {
        Optional<TopicImage> topic = image.topic(tp.topic());
        if (topic.isEmpty()) {
            return Optional.of("topic " + tp.topic() + " does not exist at metadata offset " + image.offset());
        }
        PartitionRegistration registration = topic.get().partitions().get(tp.partition());
        if (registration == null || !registration.replicas().contains(nodeId)) {
            return Optional.of("not assigned to node " + nodeId + " at metadata offset " + image.offset());
        }
        Path metadataFile = logDirectory.partitionDir(tp).resolve(PartitionMetadataFile.FILE_NAME);
        Optional<Uuid> recorded = new PartitionMetadataFile(metadataFile).read();
        if (recorded.isPresent() && !recorded.get().equals(topic.get().topicId())) {
            return Optional.of("it belongs to topic id " + recorded.get() + ", not "
                    + topic.get().topicId());
        }
        return Optional.empty();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
