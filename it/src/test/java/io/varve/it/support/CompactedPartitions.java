package io.varve.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.checkpoint.OffsetCheckpointFile;
import io.varve.storage.cleaner.CleanerCheckpoints;
import io.varve.storage.log.LogFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * What integration tests of compaction look at: the node's {@code cleaner-offset-checkpoint}, a
 * partition's segment files, and a partition read whole with a real consumer.
 */
public final class CompactedPartitions {
    private CompactedPartitions() {}

    /** The offset the cleaner checkpointed for {@code tp}, or -1. */
    public static long cleanedUpTo(Path dataDir, TopicPartition tp) throws IOException {
        Map<TopicPartition, Long> offsets =
                new OffsetCheckpointFile(dataDir.resolve(CleanerCheckpoints.FILE_NAME)).read();
        return offsets.getOrDefault(tp, -1L);
    }

    /** The base offsets of the partition's segments, oldest first (the last is the active one). */
    public static List<Long> segmentBaseOffsets(Path dataDir, TopicPartition tp) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve(LogFiles.dirName(tp.topic(), tp.partition())))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(LogFiles.LOG_SUFFIX))
                    .map(name -> LogFiles.offsetFromFileName(name).getAsLong())
                    .sorted()
                    .toList();
        }
    }

    /** The segment files with {@code suffix}, oldest first. */
    public static List<Path> segmentFiles(Path dataDir, TopicPartition tp, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dataDir.resolve(LogFiles.dirName(tp.topic(), tp.partition())))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix))
                    .sorted()
                    .toList();
        }
    }

    /** Every record of {@code tp} from its log start offset to the end offset it had when reading began. */
    public static List<ConsumerRecord<String, String>> readAll(
            KafkaConsumer<String, String> consumer, TopicPartition tp, Duration deadline) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp)).get(tp);
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        Instant until = Instant.now().plus(deadline);
        while (consumer.position(tp) < end && Instant.now().isBefore(until)) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(100))) {
                if (record.offset() < end) {
                    records.add(record);
                }
            }
        }
        assertThat(consumer.position(tp)).as("position in %s", tp).isGreaterThanOrEqualTo(end);
        return records;
    }

    /** {@code offset:key=value}, {@code value} "null" for a tombstone. */
    public static List<String> describe(List<ConsumerRecord<String, String>> records) {
        return records.stream()
                .map(r -> r.offset() + ":" + r.key() + "=" + r.value())
                .toList();
    }
}
