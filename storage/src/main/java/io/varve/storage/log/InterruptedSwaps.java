package io.varve.storage.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes, at load, a {@link SegmentSwap} a crash interrupted. A {@code X.log.swap} file was fsynced
 * whole, after its indexes, before it got that name, so it holds everything the cleaner kept of the
 * segments it replaces: those segments (every segment file whose base offset lies in {@code [X, end of
 * the swap)}) are removed and the swap files renamed to their plain names, as Kafka's log loader does.
 * Index {@code .swap} files without a {@code .log.swap}: if {@code X.log.cleaned} is still there the
 * crash came before the swap was ready and they are removed (the old segment stays); otherwise the
 * {@code .log} was already renamed and they are renamed too.
 *
 * <p>Runs once per log, in {@link LogLoader}, before the segments are listed.
 */
final class InterruptedSwaps {
    private static final Logger log = LoggerFactory.getLogger(InterruptedSwaps.class);

    private InterruptedSwaps() {}

    static void complete(Path dir) throws IOException {
        List<Path> swaps = list(dir).stream()
                .filter(f -> f.getFileName().toString().endsWith(LogFiles.LOG_SUFFIX + LogFiles.SWAP_SUFFIX))
                .toList();
        for (Path swap : swaps) {
            long baseOffset =
                    LogFiles.offsetFromFileName(swap.getFileName().toString()).getAsLong();
            long end = Math.max(baseOffset + 1, nextOffset(swap, baseOffset));
            log.info(
                    "completing the interrupted swap of cleaned segment {} in {}: replacing segments in [{}, {})",
                    baseOffset,
                    dir,
                    baseOffset,
                    end);
            deleteSegmentFilesIn(dir, baseOffset, end);
        }
        boolean renamed = false;
        for (Path file : list(dir)) {
            String name = file.getFileName().toString();
            OptionalLong offset = LogFiles.offsetFromFileName(name);
            if (!name.endsWith(LogFiles.SWAP_SUFFIX) || offset.isEmpty()) {
                continue;
            }
            Path cleanedLog = LogFiles.logFile(dir, offset.getAsLong())
                    .resolveSibling(LogFiles.filenamePrefix(offset.getAsLong())
                            + LogFiles.LOG_SUFFIX
                            + LogFiles.CLEANED_SUFFIX);
            if (Files.exists(cleanedLog)) {
                log.info(
                        "removing {}: the crash came before cleaned segment {} was ready to swap",
                        name,
                        offset.getAsLong());
                Files.delete(file);
            } else {
                Path target = file.resolveSibling(name.substring(0, name.length() - LogFiles.SWAP_SUFFIX.length()));
                Utils.atomicMoveWithFallback(file, target, false);
                renamed = true;
            }
        }
        if (renamed) {
            Utils.flushDir(dir);
        }
    }

    private static long nextOffset(Path swap, long baseOffset) throws IOException {
        long next = baseOffset;
        try (FileRecords records = FileRecords.open(swap.toFile(), false)) {
            for (FileChannelRecordBatch batch : records.batches()) {
                next = batch.nextOffset();
            }
        }
        return next;
    }

    private static void deleteSegmentFilesIn(Path dir, long fromOffset, long toOffset) throws IOException {
        for (Path file : list(dir)) {
            String name = file.getFileName().toString();
            OptionalLong offset = LogFiles.offsetFromFileName(name);
            boolean segmentFile = name.endsWith(LogFiles.LOG_SUFFIX)
                    || name.endsWith(LogFiles.INDEX_SUFFIX)
                    || name.endsWith(LogFiles.TIME_INDEX_SUFFIX)
                    || name.endsWith(LogFiles.TXN_INDEX_SUFFIX);
            if (segmentFile
                    && offset.isPresent()
                    && offset.getAsLong() >= fromOffset
                    && offset.getAsLong() < toOffset) {
                Files.delete(file);
            }
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
