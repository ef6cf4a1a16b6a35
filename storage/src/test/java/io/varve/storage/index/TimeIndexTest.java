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

class TimeIndexTest {
    private static final long BASE_OFFSET = 1000L;
    private static final int MAX_INDEX_SIZE = 5 * TimeIndex.ENTRY_SIZE;
    private static final long NO_TIMESTAMP = -1L;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("00000000000000001000.timeindex");
    }

    private TimeIndex newIndex() throws IOException {
        return new TimeIndex(file(), BASE_OFFSET, MAX_INDEX_SIZE, true);
    }

    /** Entries (5000, 1010), (6000, 1020), (7000, 1030). */
    private TimeIndex indexWithThreeEntries() throws IOException {
        TimeIndex index = newIndex();
        index.maybeAppend(5000, 1010);
        index.maybeAppend(6000, 1020);
        index.maybeAppend(7000, 1030);
        return index;
    }

    @Test
    void writesBigEndianTimestampAndRelativeOffset() throws IOException {
        TimeIndex index = newIndex();
        index.maybeAppend(1_700_000_000_000L, BASE_OFFSET + 7);
        index.close();

        ByteBuffer expected =
                ByteBuffer.allocate(12).putLong(1_700_000_000_000L).putInt(7);
        assertEquals(ByteBuffer.wrap(expected.array()), ByteBuffer.wrap(Files.readAllBytes(file())));
    }

    @Test
    void looksUpTheEntryWithTheLargestTimestampAtOrBelowTheTarget() throws IOException {
        TimeIndex index = indexWithThreeEntries();

        assertEquals(new TimestampOffset(5000, 1010), index.lookup(5000));
        assertEquals(new TimestampOffset(5000, 1010), index.lookup(5999));
        assertEquals(new TimestampOffset(6000, 1020), index.lookup(6000));
        assertEquals(new TimestampOffset(7000, 1030), index.lookup(Long.MAX_VALUE));
    }

    @Test
    void looksUpNoTimestampAndTheBaseOffsetBeforeTheFirstEntryOrWhenEmpty() throws IOException {
        assertEquals(
                new TimestampOffset(NO_TIMESTAMP, BASE_OFFSET),
                indexWithThreeEntries().lookup(4999));
        assertEquals(new TimestampOffset(NO_TIMESTAMP, BASE_OFFSET), newIndex().lookup(4999));
    }

    @Test
    void skipsTimestampsNotAboveTheLastOne() throws IOException {
        TimeIndex index = indexWithThreeEntries();

        index.maybeAppend(7000, 1040);
        index.maybeAppend(6500, 1050);

        assertEquals(3, index.entries());
        assertEquals(new TimestampOffset(7000, 1030), index.lastEntry());
    }

    @Test
    void skipsNoTimestampOnAnEmptyIndex() throws IOException {
        TimeIndex index = newIndex();

        index.maybeAppend(NO_TIMESTAMP, 1010);

        assertEquals(0, index.entries());
    }

    @Test
    void acceptsTheLastOffsetAgainWithALargerTimestamp() throws IOException {
        TimeIndex index = indexWithThreeEntries();

        index.maybeAppend(8000, 1030);

        assertEquals(new TimestampOffset(8000, 1030), index.lastEntry());
    }

    @Test
    void rejectsAnOffsetBelowTheLastOneWithTheNumbers() throws IOException {
        TimeIndex index = indexWithThreeEntries();

        InvalidOffsetException e = assertThrows(InvalidOffsetException.class, () -> index.maybeAppend(8000, 1029));

        assertTrue(e.getMessage().contains("offset 1029"), e.getMessage());
        assertTrue(e.getMessage().contains("last offset 1030"), e.getMessage());
    }

    @Test
    void lastEntryIsNoTimestampAndTheBaseOffsetWhenEmpty() throws IOException {
        assertEquals(new TimestampOffset(NO_TIMESTAMP, BASE_OFFSET), newIndex().lastEntry());
    }

    @Test
    void lastEntryIsTheLastAppendedEntry() throws IOException {
        assertEquals(new TimestampOffset(7000, 1030), indexWithThreeEntries().lastEntry());
    }

    @Test
    void keepsTheLastSlotForTheRollEntry() throws IOException {
        TimeIndex index = newIndex();
        for (int i = 1; i <= 4; i++) {
            index.maybeAppend(1000L * i, BASE_OFFSET + i);
        }

        assertEquals(4, index.entries());
        assertEquals(5, index.maxEntries());
        assertTrue(index.isFull());
        assertThrows(IllegalStateException.class, () -> index.maybeAppend(9000, 1009));

        index.maybeAppend(9000, 1009, true);

        assertEquals(5, index.entries());
        assertEquals(new TimestampOffset(9000, 1009), index.lastEntry());
        assertThrows(IllegalStateException.class, () -> index.maybeAppend(9500, 1010, true));
    }

    @Test
    void truncatesEntriesAtOrAboveAnOffset() throws IOException {
        TimeIndex index = indexWithThreeEntries();

        index.truncateTo(1025);
        assertEquals(new TimestampOffset(6000, 1020), index.lastEntry());

        index.truncateTo(1020);
        assertEquals(new TimestampOffset(5000, 1010), index.lastEntry());
        assertEquals(1, index.entries());

        index.maybeAppend(5500, 1015);
        assertEquals(new TimestampOffset(5500, 1015), index.lookup(6000));
    }

    @Test
    void truncatesEveryEntryOfARepeatedOffset() throws IOException {
        TimeIndex index = newIndex();
        index.maybeAppend(5000, 1010);
        index.maybeAppend(6000, 1020);
        index.maybeAppend(6500, 1020);

        index.truncateTo(1020);

        assertEquals(1, index.entries());
        assertEquals(new TimestampOffset(5000, 1010), index.lastEntry());
    }

    @Test
    void trimsAndReopensWithTheSameEntries() throws IOException {
        TimeIndex index = indexWithThreeEntries();
        index.trimToValidSize();
        assertEquals(36, Files.size(file()));
        index.close();

        TimeIndex reopened = newIndex();

        reopened.sanityCheck();
        assertEquals(3, reopened.entries());
        assertEquals(new TimestampOffset(5000, 1010), reopened.entry(0));
        assertEquals(new TimestampOffset(6000, 1020), reopened.entry(1));
        assertEquals(new TimestampOffset(7000, 1030), reopened.lastEntry());
    }

    @Test
    void reopensAPreallocatedUntrimmedFileFullAndFailsTheSanityCheck() throws IOException {
        indexWithThreeEntries().flush();

        TimeIndex reopened = newIndex();

        assertEquals(5, reopened.entries());
        assertEquals(new TimestampOffset(0, BASE_OFFSET), reopened.lastEntry());
        assertThrows(CorruptIndexException.class, reopened::sanityCheck);
    }

    @Test
    void sanityCheckRejectsATornLength() throws IOException {
        Files.write(file(), new byte[13]);

        assertThrows(CorruptIndexException.class, newIndex()::sanityCheck);
    }

    @Test
    void kafkasTimeIndexReadsTheSameEntries() throws IOException {
        indexWithThreeEntries().close();

        var kafkaIndex = new org.apache.kafka.storage.internals.log.TimeIndex(
                file().toFile(), BASE_OFFSET, MAX_INDEX_SIZE, false);

        kafkaIndex.sanityCheck();
        assertEquals(3, kafkaIndex.entries());
        assertEquals(7000, kafkaIndex.lastEntry().timestamp());
        assertEquals(1030, kafkaIndex.lastEntry().offset());
        assertEquals(1020, kafkaIndex.lookup(6500).offset());
        assertFalse(Files.size(file()) > 36);
    }
}
