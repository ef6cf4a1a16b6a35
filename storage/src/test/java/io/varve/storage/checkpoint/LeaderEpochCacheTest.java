package io.varve.storage.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {
    private static final EpochAndOffset UNDEFINED =
            new EpochAndOffset(LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_EPOCH_OFFSET);

    @TempDir
    Path dir;

    private LeaderEpochCheckpointFile checkpoint() {
        return new LeaderEpochCheckpointFile(dir.resolve(LeaderEpochCheckpointFile.FILE_NAME));
    }

    private LeaderEpochCache newCache() throws IOException {
        return new LeaderEpochCache(checkpoint());
    }

    /** Epoch 1 from 0, epoch 3 from 10, epoch 5 from 20. */
    private LeaderEpochCache cacheWithThreeEpochs() throws IOException {
        LeaderEpochCache cache = newCache();
        cache.assign(1, 0);
        cache.assign(3, 10);
        cache.assign(5, 20);
        return cache;
    }

    private static List<EpochEntry> entries(long... epochAndStartOffset) {
        EpochEntry[] entries = new EpochEntry[epochAndStartOffset.length / 2];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = new EpochEntry((int) epochAndStartOffset[2 * i], epochAndStartOffset[2 * i + 1]);
        }
        return List.of(entries);
    }

    @Test
    void assignsNewEpochsAndWritesThemThrough() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        assertEquals(entries(1, 0, 3, 10, 5, 20), cache.epochEntries());
        assertEquals(OptionalInt.of(5), cache.latestEpoch());
        assertEquals(Optional.of(new EpochEntry(5, 20)), cache.latestEntry());
        assertEquals(OptionalInt.of(1), cache.earliestEpoch());
        assertEquals(Optional.of(new EpochEntry(1, 0)), cache.earliestEntry());
        assertEquals("0\n3\n1 0\n3 10\n5 20\n", Files.readString(checkpoint().file()));
    }

    @Test
    void ignoresTheLatestEpochAtTheSameOrALaterOffset() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.assign(5, 20);
        cache.assign(5, 25);

        assertEquals(entries(1, 0, 3, 10, 5, 20), cache.epochEntries());
    }

    @Test
    void movesTheLatestEpochToAnEarlierOffset() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.assign(5, 15);

        assertEquals(entries(1, 0, 3, 10, 5, 15), cache.epochEntries());
    }

    @Test
    void aNewEpochRemovesEntriesStartingAtOrAfterItsStartOffset() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.assign(6, 10);

        assertEquals(entries(1, 0, 6, 10), cache.epochEntries());
        assertEquals(entries(1, 0, 6, 10), checkpoint().read());
    }

    @Test
    void anOlderEpochRemovesEveryLaterEpochAsKafkaDoes() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.assign(3, 15);

        assertEquals(entries(1, 0, 3, 15), cache.epochEntries());
    }

    @Test
    void rejectsANegativeEpochOrStartOffset() throws IOException {
        LeaderEpochCache cache = newCache();

        assertThrows(IllegalArgumentException.class, () -> cache.assign(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> cache.assign(0, -1));
        assertEquals(List.of(), cache.epochEntries());
    }

    @Test
    void endOffsetOfTheLatestEpochIsTheLogEndOffset() throws IOException {
        assertEquals(new EpochAndOffset(5, 30), cacheWithThreeEpochs().endOffsetFor(5, 30));
    }

    @Test
    void endOffsetOfAnEarlierEpochIsTheStartOfTheNextKnownEpoch() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        assertEquals(new EpochAndOffset(1, 10), cache.endOffsetFor(1, 30));
        assertEquals(new EpochAndOffset(1, 10), cache.endOffsetFor(2, 30));
        assertEquals(new EpochAndOffset(3, 20), cache.endOffsetFor(3, 30));
        assertEquals(new EpochAndOffset(3, 20), cache.endOffsetFor(4, 30));
    }

    @Test
    void endOffsetOfAnEpochBelowTheEarliestIsTheEarliestStartOffset() throws IOException {
        LeaderEpochCache cache = newCache();
        cache.assign(3, 10);
        cache.assign(5, 20);

        assertEquals(new EpochAndOffset(1, 10), cache.endOffsetFor(1, 30));
    }

    @Test
    void endOffsetIsUndefinedForAnUndefinedOrUnknownLaterEpochOrAnEmptyCache() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        assertEquals(UNDEFINED, cache.endOffsetFor(LeaderEpochCache.UNDEFINED_EPOCH, 30));
        assertEquals(UNDEFINED, cache.endOffsetFor(6, 30));
        assertEquals(UNDEFINED, newCacheIn("empty").endOffsetFor(0, 30));
    }

    private LeaderEpochCache newCacheIn(String subdirectory) throws IOException {
        Path partitionDir = Files.createDirectory(dir.resolve(subdirectory));
        return new LeaderEpochCache(
                new LeaderEpochCheckpointFile(partitionDir.resolve(LeaderEpochCheckpointFile.FILE_NAME)));
    }

    @Test
    void truncateFromEndRemovesEpochsStartingAtOrAfterTheEndOffset() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.truncateFromEnd(21);
        assertEquals(entries(1, 0, 3, 10, 5, 20), cache.epochEntries());

        cache.truncateFromEnd(20);
        assertEquals(entries(1, 0, 3, 10), cache.epochEntries());

        cache.truncateFromEnd(5);
        assertEquals(entries(1, 0), cache.epochEntries());
        assertEquals(entries(1, 0), checkpoint().read());

        cache.truncateFromEnd(-1);
        assertEquals(entries(1, 0), cache.epochEntries());
    }

    @Test
    void truncateFromStartKeepsTheEpochCoveringTheNewStartMovedUpToIt() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.truncateFromStart(15);

        assertEquals(entries(3, 15, 5, 20), cache.epochEntries());
        assertEquals(entries(3, 15, 5, 20), checkpoint().read());
    }

    @Test
    void truncateFromStartAtAnEpochStartKeepsThatEpoch() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.truncateFromStart(20);

        assertEquals(entries(5, 20), cache.epochEntries());
    }

    @Test
    void truncateFromStartBeforeTheFirstEpochChangesNothing() throws IOException {
        LeaderEpochCache cache = newCache();
        cache.assign(3, 10);

        cache.truncateFromStart(5);

        assertEquals(entries(3, 10), cache.epochEntries());
    }

    @Test
    void findsTheEpochThatWroteAnOffset() throws IOException {
        LeaderEpochCache cache = newCache();
        cache.assign(1, 5);
        cache.assign(3, 10);

        assertEquals(OptionalInt.empty(), cache.epochForOffset(4));
        assertEquals(OptionalInt.of(1), cache.epochForOffset(5));
        assertEquals(OptionalInt.of(1), cache.epochForOffset(9));
        assertEquals(OptionalInt.of(3), cache.epochForOffset(10));
        assertEquals(OptionalInt.of(3), cache.epochForOffset(1_000));
    }

    @Test
    void clearRemovesEverythingFromMemoryAndFile() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();

        cache.clear();

        assertEquals(List.of(), cache.epochEntries());
        assertEquals(OptionalInt.empty(), cache.latestEpoch());
        assertEquals(OptionalInt.empty(), cache.earliestEpoch());
        assertEquals("0\n0\n", Files.readString(checkpoint().file()));
    }

    @Test
    void aNewCacheOnTheSameFileSeesEveryChange() throws IOException {
        LeaderEpochCache cache = cacheWithThreeEpochs();
        cache.assign(7, 40);
        cache.truncateFromEnd(40);
        cache.truncateFromStart(12);

        LeaderEpochCache reloaded = newCache();

        assertEquals(entries(3, 12, 5, 20), reloaded.epochEntries());
        assertEquals(new EpochAndOffset(3, 20), reloaded.endOffsetFor(4, 30));
    }
}
