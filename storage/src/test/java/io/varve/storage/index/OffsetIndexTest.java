package io.varve.storage.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetIndexTest {
    private static final long BASE_OFFSET = 100L;
    private static final int MAX_INDEX_SIZE = 10 * OffsetIndex.ENTRY_SIZE;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("00000000000000000100.index");
    }

    private OffsetIndex newIndex() throws IOException {
        return new OffsetIndex(file(), BASE_OFFSET, MAX_INDEX_SIZE, true);
    }

    /** Entries (110, 1000), (120, 2000), (130, 3000). */
    private OffsetIndex indexWithThreeEntries() throws IOException {
        OffsetIndex index = newIndex();
        index.append(110, 1000);
        index.append(120, 2000);
        index.append(130, 3000);
        return index;
    }

    @Test
    void preallocatesANewFileToTheMaximumSizeRoundedDownToWholeEntries() throws IOException {
        OffsetIndex index = new OffsetIndex(file(), BASE_OFFSET, 85, true);

        assertEquals(80, Files.size(file()));
        assertEquals(10, index.maxEntries());
        assertEquals(0, index.entries());
        assertEquals(0, index.sizeInBytes());
        assertEquals(BASE_OFFSET, index.lastOffset());
    }

    @Test
    void rejectsAMaximumSizeBelowOneEntry() {
        assertThrows(IllegalArgumentException.class, () -> new OffsetIndex(file(), BASE_OFFSET, 7, true));
    }

    @Test
    void writesBigEndianRelativeOffsetAndPosition() throws IOException {
        OffsetIndex index = newIndex();
        index.append(BASE_OFFSET + 5, 4242);
        index.close();

        ByteBuffer expected = ByteBuffer.allocate(8).putInt(5).putInt(4242);
        assertEquals(ByteBuffer.wrap(expected.array()), ByteBuffer.wrap(Files.readAllBytes(file())));
    }

    @Test
    void looksUpExactEntries() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        assertEquals(new OffsetPosition(110, 1000), index.lookup(110));
        assertEquals(new OffsetPosition(120, 2000), index.lookup(120));
        assertEquals(new OffsetPosition(130, 3000), index.lookup(130));
    }

    @Test
    void looksUpTheSegmentStartBeforeTheFirstEntry() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        assertEquals(new OffsetPosition(BASE_OFFSET, 0), index.lookup(109));
        assertEquals(new OffsetPosition(BASE_OFFSET, 0), index.lookup(0));
    }

    @Test
    void looksUpTheSegmentStartInAnEmptyIndex() throws IOException {
        assertEquals(new OffsetPosition(BASE_OFFSET, 0), newIndex().lookup(150));
    }

    @Test
    void looksUpTheEntryBelowATargetBetweenEntries() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        assertEquals(new OffsetPosition(110, 1000), index.lookup(119));
        assertEquals(new OffsetPosition(120, 2000), index.lookup(121));
    }

    @Test
    void looksUpTheLastEntryAfterTheLastEntry() throws IOException {
        assertEquals(new OffsetPosition(130, 3000), indexWithThreeEntries().lookup(Long.MAX_VALUE));
    }

    @Test
    void looksUpEveryOffsetInAnIndexLargerThanTheWarmSection() throws IOException {
        OffsetIndex index = new OffsetIndex(file(), 0, 3000 * OffsetIndex.ENTRY_SIZE, true);
        for (int i = 0; i < 3000; i++) {
            index.append(10L * i + 5, 100 * i);
        }

        assertEquals(new OffsetPosition(0, 0), index.lookup(4));
        for (int i = 0; i < 3000; i++) {
            assertEquals(new OffsetPosition(10L * i + 5, 100 * i), index.lookup(10L * i + 5));
            assertEquals(new OffsetPosition(10L * i + 5, 100 * i), index.lookup(10L * i + 14));
        }
    }

    @Test
    void rejectsAnOffsetNotAboveTheLastOneWithTheNumbers() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        InvalidOffsetException equal = assertThrows(InvalidOffsetException.class, () -> index.append(130, 4000));
        InvalidOffsetException lower = assertThrows(InvalidOffsetException.class, () -> index.append(125, 4000));

        assertTrue(equal.getMessage().contains("offset 130"), equal.getMessage());
        assertTrue(equal.getMessage().contains("last offset 130"), equal.getMessage());
        assertTrue(lower.getMessage().contains("offset 125"), lower.getMessage());
        assertEquals(3, index.entries());
    }

    @Test
    void rejectsAnOffsetThatDoesNotFitRelativeToTheBaseOffset() throws IOException {
        OffsetIndex index = newIndex();

        assertFalse(index.canAppendOffset(BASE_OFFSET - 1));
        assertFalse(index.canAppendOffset(BASE_OFFSET + Integer.MAX_VALUE + 1L));
        assertTrue(index.canAppendOffset(BASE_OFFSET + Integer.MAX_VALUE));
        assertThrows(InvalidOffsetException.class, () -> index.append(BASE_OFFSET + Integer.MAX_VALUE + 1L, 0));
        assertEquals(0, index.entries());
    }

    @Test
    void refusesToAppendWhenFull() throws IOException {
        OffsetIndex index = new OffsetIndex(file(), BASE_OFFSET, 2 * OffsetIndex.ENTRY_SIZE, true);
        index.append(101, 10);
        index.append(102, 20);

        assertTrue(index.isFull());
        assertThrows(IllegalStateException.class, () -> index.append(103, 30));
        assertEquals(2, index.entries());
    }

    @Test
    void truncatesToAnIndexedOffsetRemovingThatEntryAndLater() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        index.truncateTo(120);

        assertEquals(1, index.entries());
        assertEquals(110, index.lastOffset());
        assertEquals(new OffsetPosition(110, 1000), index.lookup(125));
    }

    @Test
    void truncatesBetweenEntriesKeepingTheLowerOne() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        index.truncateTo(125);

        assertEquals(2, index.entries());
        assertEquals(120, index.lastOffset());
        index.append(125, 2500);
        assertEquals(new OffsetPosition(125, 2500), index.lookup(140));
    }

    @Test
    void truncatingBelowTheFirstEntryEmptiesAndAboveTheLastKeepsAll() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        index.truncateTo(131);
        assertEquals(3, index.entries());

        index.truncateTo(110);
        assertEquals(0, index.entries());
        assertEquals(BASE_OFFSET, index.lastOffset());
    }

    @Test
    void resetRemovesAllEntriesAndRestoresThePreallocation() throws IOException {
        OffsetIndex index = indexWithThreeEntries();
        index.trimToValidSize();

        index.reset();

        assertEquals(0, index.entries());
        assertEquals(10, index.maxEntries());
        assertEquals(MAX_INDEX_SIZE, Files.size(file()));
    }

    @Test
    void trimToValidSizeShrinksTheFileToItsEntries() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        index.trimToValidSize();

        assertEquals(24, Files.size(file()));
        assertEquals(3, index.maxEntries());
        assertTrue(index.isFull());
        assertEquals(new OffsetPosition(120, 2000), index.lookup(125));
    }

    @Test
    void reopensATrimmedFileWithTheSameEntries() throws IOException {
        indexWithThreeEntries().close();
        assertEquals(24, Files.size(file()));

        OffsetIndex reopened = newIndex();

        reopened.sanityCheck();
        assertEquals(3, reopened.entries());
        assertEquals(new OffsetPosition(110, 1000), reopened.entry(0));
        assertEquals(new OffsetPosition(120, 2000), reopened.entry(1));
        assertEquals(new OffsetPosition(130, 3000), reopened.entry(2));
        assertEquals(130, reopened.lastOffset());
        assertEquals(MAX_INDEX_SIZE, Files.size(file()), "a writable reopen grows the file for appends");
        reopened.append(140, 4000);
        assertEquals(4, reopened.entries());
    }

    @Test
    void opensATrimmedFileReadOnlyAsItIs() throws IOException {
        indexWithThreeEntries().close();

        OffsetIndex readOnly = new OffsetIndex(file(), BASE_OFFSET, MAX_INDEX_SIZE, false);

        assertEquals(3, readOnly.entries());
        assertEquals(new OffsetPosition(130, 3000), readOnly.lookup(135));
        assertEquals(24, Files.size(file()));
        assertThrows(IllegalStateException.class, () -> readOnly.append(140, 4000));
        readOnly.close();
        assertEquals(24, Files.size(file()));
    }

    @Test
    void reopensAPreallocatedUntrimmedFileWithEverySlotCountedAndFailsTheSanityCheck() throws IOException {
        OffsetIndex crashed = indexWithThreeEntries();
        crashed.flush();

        OffsetIndex reopened = newIndex();

        assertEquals(10, reopened.entries());
        assertTrue(reopened.isFull());
        assertEquals(new OffsetPosition(130, 3000), reopened.entry(2));
        assertEquals(new OffsetPosition(BASE_OFFSET, 0), reopened.entry(3));
        assertThrows(CorruptIndexException.class, reopened::sanityCheck);
        reopened.reset();
        reopened.sanityCheck();
        assertEquals(0, reopened.entries());
    }

    @Test
    void sanityCheckRejectsALengthThatIsNotAMultipleOfTheEntrySize() throws IOException {
        Files.write(file(), new byte[] {0, 0, 0, 1, 0, 0, 0, 2, 0, 0});

        OffsetIndex index = newIndex();

        CorruptIndexException e = assertThrows(CorruptIndexException.class, index::sanityCheck);
        assertTrue(e.getMessage().contains("length 10"), e.getMessage());
    }

    @Test
    void sanityCheckRejectsALastOffsetBelowTheBaseOffset() throws IOException {
        Files.write(file(), ByteBuffer.allocate(8).putInt(-1).putInt(0).array());

        OffsetIndex index = newIndex();

        assertThrows(CorruptIndexException.class, index::sanityCheck);
    }

    @Test
    void closeTrimsAndLaterUseFails() throws IOException {
        OffsetIndex index = indexWithThreeEntries();

        index.close();
        index.close();

        assertEquals(24, Files.size(file()));
        assertThrows(IllegalStateException.class, () -> index.lookup(110));
    }

    @Test
    void renamesAndDeletesTheFile() throws IOException {
        OffsetIndex index = indexWithThreeEntries();
        index.close();
        Path deleted = dir.resolve("00000000000000000100.index.deleted");

        index.renameTo(deleted);

        assertEquals(deleted, index.file());
        assertFalse(Files.exists(file()));
        assertTrue(index.deleteIfExists());
        assertFalse(Files.exists(deleted));
        assertFalse(index.deleteIfExists());
    }

    @Test
    void kafkasOffsetIndexReadsTheSameEntries() throws IOException {
        indexWithThreeEntries().close();

        var kafkaIndex = new org.apache.kafka.storage.internals.log.OffsetIndex(
                file().toFile(), BASE_OFFSET, MAX_INDEX_SIZE, false);

        kafkaIndex.sanityCheck();
        assertEquals(3, kafkaIndex.entries());
        assertEquals(130, kafkaIndex.lastOffset());
        assertEquals(120, kafkaIndex.lookup(125).offset());
        assertEquals(2000, kafkaIndex.lookup(125).position());
    }
}
