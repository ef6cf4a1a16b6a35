package io.varve.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * Compares the replicas of every partition on disk, after the cluster stopped cleanly: each
 * replica's batches below the partition's end offset (base offset, last offset, CRC), read from its
 * segments in order, must be the same on every node. A replica whose list differs from the list most
 * replicas hold is divergent (with no majority, every replica is). Writes {@code divergent.log}:
 * {@code partition node firstDifferingOffset}.
 */
final class ReplicaComparison {
    private record Batch(long base, long last, long crc) {}

    private ReplicaComparison() {}

    /** Compares the replicas under each of {@code dataDirs} (index 0 is node 1); returns the divergent count. */
    static int compare(List<Path> dataDirs, String topic, Map<Integer, Long> endOffsets, Path out) throws IOException {
        StringBuilder report = new StringBuilder();
        int divergent = 0;
        for (Map.Entry<Integer, Long> partition : endOffsets.entrySet()) {
            List<List<Batch>> replicas = new ArrayList<>();
            for (Path dataDir : dataDirs) {
                replicas.add(batches(dataDir.resolve(topic + "-" + partition.getKey()), partition.getValue()));
            }
            Map<List<Batch>, Integer> votes = new HashMap<>();
            replicas.forEach(r -> votes.merge(r, 1, Integer::sum));
            List<Batch> majority = votes.entrySet().stream()
                    .filter(e -> e.getValue() * 2 > replicas.size())
                    .map(Map.Entry::getKey)
                    .findFirst()
                    .orElse(null);
            for (int i = 0; i < replicas.size(); i++) {
                if (!replicas.get(i).equals(majority)) {
                    divergent++;
                    report.append(partition.getKey())
                            .append(' ')
                            .append(i + 1)
                            .append(' ')
                            .append(firstDifference(replicas.get(i), majority == null ? List.of() : majority))
                            .append('\n');
                }
            }
        }
        Files.writeString(out.resolve("divergent.log"), report);
        return divergent;
    }

    private static List<Batch> batches(Path partitionDir, long endOffset) throws IOException {
        List<Batch> batches = new ArrayList<>();
        if (!Files.isDirectory(partitionDir)) {
            return batches;
        }
        List<Path> segments;
        try (Stream<Path> files = Files.list(partitionDir)) {
            segments = files.filter(f -> f.getFileName().toString().endsWith(".log"))
                    .sorted()
                    .toList();
        }
        for (Path segment : segments) {
            try (FileRecords records = FileRecords.open(segment.toFile(), false)) {
                for (FileChannelRecordBatch batch : records.batches()) {
                    if (batch.lastOffset() < endOffset) {
                        batches.add(new Batch(batch.baseOffset(), batch.lastOffset(), batch.checksum()));
                    }
                }
            }
        }
        return batches;
    }

    private static long firstDifference(List<Batch> replica, List<Batch> reference) {
        int n = Math.min(replica.size(), reference.size());
        for (int i = 0; i < n; i++) {
            if (!replica.get(i).equals(reference.get(i))) {
                return Math.min(replica.get(i).base(), reference.get(i).base());
            }
        }
        if (replica.size() > n) {
            return replica.get(n).base();
        }
        return reference.size() > n ? reference.get(n).base() : -1;
    }
}
