package io.varve.it.matrix;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;

/**
 * The record batches of one partition as they lie in its segment files, read with kafka-clients'
 * own {@link FileRecords}: what codec a client really used, and whether it wrote as an idempotent
 * producer. Reads files a running node appends to; callers look only at batches already acknowledged.
 */
final class SegmentBatches {
    private SegmentBatches() {}

    /**
     * One batch: its codec as Kafka names it ({@code none}, {@code gzip}, ...), its producer fields,
     * and whether it is transactional and a control batch (a transaction marker).
     */
    record Batch(
            long baseOffset,
            String compression,
            boolean idempotent,
            int baseSequence,
            boolean transactional,
            boolean control) {}

    static List<Batch> of(Path dataDir, String topic, int partition) throws IOException {
        Path dir = dataDir.resolve(topic + "-" + partition);
        List<Path> segments;
        try (Stream<Path> files = Files.list(dir)) {
            segments = files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
        List<Batch> batches = new ArrayList<>();
        for (Path segment : segments) {
            try (FileRecords records = FileRecords.open(new File(segment.toString()), false)) {
                for (FileChannelRecordBatch batch : records.batches()) {
                    batches.add(new Batch(
                            batch.baseOffset(),
                            batch.compressionType().name,
                            batch.hasProducerId(),
                            batch.baseSequence(),
                            batch.isTransactional(),
                            batch.isControlBatch()));
                }
            }
        }
        return batches;
    }
}
