package io.varve.storage.cleaner;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.log.LogFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner's side of a cleaning: the swap is refused when the log changed under the cleaner, and a
 * crash at any point of it leaves a log that reopens either as before the cleaning or as after it.
 */
class SegmentSwapTest {
    private static final List<String> BEFORE =
            List.of("0:a=1", "1:b=1", "2:a=2", "3:c=1", "4:b=2", "5:a=3", "6:d=1", "7:e=1");
    private static final List<String> AFTER = List.of("3:c=1", "4:b=2", "5:a=3", "6:d=1", "7:e=1");

    @TempDir
    Path root;

    /** Three closed segments [0..2] [3..4] [5..6] and an active one [7], not yet swapped. */
    private CompactedLog dirtyLog() throws IOException {
        CompactedLog c = new CompactedLog(root).open();
        c.put("a=1", "b=1", "a=2");
        c.roll();
        c.put("c=1", "b=2");
        c.roll();
        c.put("a=3", "d=1");
        c.roll();
        c.put("e=1");
        return c;
    }

    private static CleaningResult cleanWithoutSwap(CompactedLog c) throws Exception {
        try (CleaningSnapshot snapshot = CleaningSnapshot.take(c.log, c.range(CleanableRange.NO_CHECKPOINT))) {
            return CompactedLog.cleaner().clean(snapshot, () -> false);
        }
    }

    @Test
    void theCleanedFilesWaitUnderTheirCleanedNamesUntilTheSwap() throws Exception {
        CompactedLog c = dirtyLog();
        CleaningResult result = cleanWithoutSwap(c);

        assertThat(result.groups()).hasSize(1);
        assertThat(names(c.dir)).contains("00000000000000000000.log.cleaned", "00000000000000000000.index.cleaned");
        assertThat(c.records()).containsExactlyElementsOf(BEFORE);

        assertThat(result.swapInto(c.log).isComplete()).isTrue();
        assertThat(c.records()).containsExactlyElementsOf(AFTER);
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
        assertThat(names(c.dir)).contains("00000000000000000003.log.deleted", "00000000000000000000.log");
        assertThat(c.segmentBaseOffsets()).containsExactly(0L, 7L);
    }

    @Test
    void aSwapIsRefusedWhenSomeOfTheSegmentsLeftTheLogMeanwhile() throws Exception {
        CompactedLog c = dirtyLog();
        CleaningResult result = cleanWithoutSwap(c);
        c.log.deleteRecordsBefore(3); // the first segment goes, the second stays

        SwapOutcome outcome = result.swapInto(c.log);

        assertThat(outcome.refusal()).isEqualTo("only 2 of the 3 cleaned segments of changelog-0 are still in the log");
        assertThat(c.records()).containsExactly("3:c=1", "4:b=2", "5:a=3", "6:d=1", "7:e=1");
        assertThat(c.segmentBaseOffsets()).containsExactly(3L, 5L, 7L);
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".cleaned"));
    }

    @Test
    void aCleanedCopyIsDroppedWhenAllItsSegmentsLeftTheLog() throws Exception {
        CompactedLog c = dirtyLog();
        CleaningResult result = cleanWithoutSwap(c);
        c.log.deleteRecordsBefore(7);

        SwapOutcome outcome = result.swapInto(c.log);

        assertThat(outcome).isEqualTo(new SwapOutcome(0, 1, null));
        assertThat(c.records()).containsExactly("7:e=1");
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".cleaned"));
    }

    @Test
    void aSwapIsRefusedAfterATruncation() throws Exception {
        CompactedLog c = dirtyLog();
        CleaningResult result = cleanWithoutSwap(c);
        c.log.truncateTo(8); // nothing removed, but the cleaner cannot know
        c.log.truncateTo(7);

        SwapOutcome outcome = result.swapInto(c.log);

        assertThat(outcome.refusal()).isEqualTo("changelog-0 was truncated while it was being cleaned");
        assertThat(c.records()).containsExactly("0:a=1", "1:b=1", "2:a=2", "3:c=1", "4:b=2", "5:a=3", "6:d=1");
    }

    // ---- crashes: each state a kill -9 can leave SegmentSwap in, then a load ----

    @Test
    void aCrashBeforeTheSwapLeavesTheOldSegments() throws Exception {
        CompactedLog c = dirtyLog();
        cleanWithoutSwap(c);

        c.reopenAfterCrash();

        assertThat(c.records()).containsExactlyElementsOf(BEFORE);
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
    }

    @Test
    void aCrashWhileTheCleanedFilesAreRenamedToSwapLeavesTheOldSegments() throws Exception {
        CompactedLog c = dirtyLog();
        cleanWithoutSwap(c);
        rename(c.dir, "00000000000000000000.index.cleaned", "00000000000000000000.index.swap");
        rename(c.dir, "00000000000000000000.timeindex.cleaned", "00000000000000000000.timeindex.swap");

        c.reopenAfterCrash();

        assertThat(c.records()).containsExactlyElementsOf(BEFORE);
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".cleaned") || n.endsWith(".swap"));
    }

    @Test
    void aCrashOnceTheSwapIsReadyCompletesItBeforeTheOldSegmentsWereDeleted() throws Exception {
        CompactedLog c = dirtyLog();
        cleanWithoutSwap(c);
        renameAll(c.dir, 0, ".cleaned", ".swap");

        c.reopenAfterCrash();

        assertThat(c.records()).containsExactlyElementsOf(AFTER);
        assertThat(c.segmentBaseOffsets()).containsExactly(0L, 7L);
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".swap"));
    }

    @Test
    void aCrashAfterSomeOldSegmentsWereDeletedCompletesTheSwap() throws Exception {
        CompactedLog c = dirtyLog();
        cleanWithoutSwap(c);
        renameAll(c.dir, 0, ".cleaned", ".swap");
        renameAll(c.dir, 0, "", ".deleted");
        renameAll(c.dir, 3, "", ".deleted");

        c.reopenAfterCrash();

        assertThat(c.records()).containsExactlyElementsOf(AFTER);
        assertThat(c.segmentBaseOffsets()).containsExactly(0L, 7L);
    }

    @Test
    void aCrashWhileTheSwapFilesAreRenamedFinishesTheRenames() throws Exception {
        CompactedLog c = dirtyLog();
        cleanWithoutSwap(c);
        renameAll(c.dir, 0, ".cleaned", ".swap");
        for (long base : List.of(0L, 3L, 5L)) {
            renameAll(c.dir, base, "", ".deleted");
        }
        rename(c.dir, "00000000000000000000.log.swap", "00000000000000000000.log");

        c.reopenAfterCrash();

        assertThat(c.records()).containsExactlyElementsOf(AFTER);
        assertThat(names(c.dir)).contains("00000000000000000000.index", "00000000000000000000.timeindex");
        assertThat(names(c.dir)).noneMatch(n -> n.endsWith(".swap"));
    }

    private static void renameAll(Path dir, long base, String from, String to) throws IOException {
        String prefix = LogFiles.filenamePrefix(base);
        for (String suffix : List.of(".log", ".index", ".timeindex", ".txnindex")) {
            Path source = dir.resolve(prefix + suffix + from);
            if (Files.exists(source)) {
                Files.move(source, dir.resolve(prefix + suffix + to));
            }
        }
    }

    private static void rename(Path dir, String from, String to) throws IOException {
        Files.move(dir.resolve(from), dir.resolve(to));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
