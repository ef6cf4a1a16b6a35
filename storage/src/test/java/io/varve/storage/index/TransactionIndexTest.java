package io.varve.storage.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionIndexTest {
    private static final AbortedTxn FIRST = new AbortedTxn(1L, 0L, 10L, 11L);
    private static final AbortedTxn SECOND = new AbortedTxn(2L, 5L, 15L, 11L);
    private static final AbortedTxn THIRD = new AbortedTxn(3L, 18L, 25L, 26L);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("00000000000000000000.txnindex");
    }

    private TransactionIndex indexWithThreeEntries() throws IOException {
        TransactionIndex index = new TransactionIndex(0L, file());
        index.append(FIRST);
        index.append(SECOND);
        index.append(THIRD);
        return index;
    }

    @Test
    void createsTheFileOnlyOnTheFirstAppend() throws IOException {
        TransactionIndex index = new TransactionIndex(0L, file());

        assertEquals(List.of(), index.allAbortedTxns());
        assertEquals(new TxnIndexSearchResult(List.of(), false), index.collectAbortedTxns(0, 100));
        index.sanityCheck();
        assertFalse(Files.exists(file()));

        index.append(FIRST);
        assertEquals(TransactionIndex.ENTRY_SIZE, Files.size(file()));
    }

    @Test
    void writesVersionZeroAndFourBigEndianLongs() throws IOException {
        TransactionIndex index = new TransactionIndex(0L, file());
        index.append(new AbortedTxn(7L, 100L, 120L, 90L));
        index.close();

        ByteBuffer expected = ByteBuffer.allocate(34)
                .putShort((short) 0)
                .putLong(7L)
                .putLong(100L)
                .putLong(120L)
                .putLong(90L);
        assertEquals(ByteBuffer.wrap(expected.array()), ByteBuffer.wrap(Files.readAllBytes(file())));
    }

    @Test
    void readsBackAllEntriesInOrderAfterReopening() throws IOException {
        indexWithThreeEntries().close();

        TransactionIndex reopened = new TransactionIndex(0L, file());

        assertEquals(List.of(FIRST, SECOND, THIRD), reopened.allAbortedTxns());
        assertThrows(IllegalArgumentException.class, () -> reopened.append(new AbortedTxn(4L, 20L, 25L, 26L)));
    }

    @Test
    void rejectsALastOffsetNotAboveThePreviousOne() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> index.append(new AbortedTxn(4L, 20L, 25L, 30L)));

        assertTrue(e.getMessage().contains("previous last offset 25"), e.getMessage());
        assertEquals(3, index.allAbortedTxns().size());
    }

    @Test
    void collectsTransactionsOverlappingTheFetchRange() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        assertEquals(List.of(FIRST, SECOND), index.collectAbortedTxns(0, 18).abortedTransactions());
        assertEquals(List.of(SECOND), index.collectAbortedTxns(11, 18).abortedTransactions());
        assertEquals(List.of(SECOND, THIRD), index.collectAbortedTxns(11, 19).abortedTransactions());
        assertEquals(List.of(THIRD), index.collectAbortedTxns(16, 100).abortedTransactions());
        assertEquals(List.of(), index.collectAbortedTxns(26, 100).abortedTransactions());
    }

    @Test
    void searchIsCompleteOnceALastStableOffsetReachesTheUpperBound() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        assertEquals(new TxnIndexSearchResult(List.of(FIRST), true), index.collectAbortedTxns(0, 11));
        assertEquals(new TxnIndexSearchResult(List.of(SECOND, THIRD), true), index.collectAbortedTxns(11, 26));
        assertEquals(new TxnIndexSearchResult(List.of(THIRD), false), index.collectAbortedTxns(16, 27));
    }

    @Test
    void truncatesEntriesEndingAtOrAfterAnOffset() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        index.truncateTo(15);

        assertEquals(List.of(FIRST), index.allAbortedTxns());
        assertEquals(TransactionIndex.ENTRY_SIZE, Files.size(file()));
        index.append(new AbortedTxn(5L, 12L, 14L, 11L));
        assertEquals(List.of(FIRST, new AbortedTxn(5L, 12L, 14L, 11L)), index.allAbortedTxns());
    }

    @Test
    void truncatingAboveTheLastEntryKeepsEverything() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        index.truncateTo(26);

        assertEquals(List.of(FIRST, SECOND, THIRD), index.allAbortedTxns());
    }

    @Test
    void resetEmptiesTheFile() throws IOException {
        TransactionIndex index = indexWithThreeEntries();

        index.reset();

        assertEquals(List.of(), index.allAbortedTxns());
        assertEquals(0, Files.size(file()));
        index.append(FIRST);
        assertEquals(List.of(FIRST), index.allAbortedTxns());
    }

    @Test
    void tornTrailingEntryIsIgnoredByReadsAndReportedBySanityCheckAndAppend() throws IOException {
        indexWithThreeEntries().close();
        Files.write(file(), new byte[] {0, 0, 0, 0, 0}, StandardOpenOption.APPEND);

        TransactionIndex reopened = new TransactionIndex(0L, file());

        assertEquals(List.of(FIRST, SECOND, THIRD), reopened.allAbortedTxns());
        CorruptIndexException e = assertThrows(CorruptIndexException.class, reopened::sanityCheck);
        assertTrue(e.getMessage().contains("torn entry of 5 bytes"), e.getMessage());
        assertThrows(CorruptIndexException.class, () -> reopened.append(new AbortedTxn(4L, 26L, 30L, 31L)));
        reopened.truncateTo(15);
        reopened.sanityCheck();
        assertEquals(List.of(FIRST), reopened.allAbortedTxns());
    }

    @Test
    void sanityCheckRejectsAnEntryEndingBeforeTheSegmentStart() throws IOException {
        indexWithThreeEntries().close();

        TransactionIndex index = new TransactionIndex(20L, file());

        assertThrows(CorruptIndexException.class, index::sanityCheck);
    }

    @Test
    void unknownEntryVersionIsCorruption() throws IOException {
        Files.write(file(), ByteBuffer.allocate(34).putShort((short) 1).array());

        TransactionIndex index = new TransactionIndex(0L, file());

        assertThrows(CorruptIndexException.class, index::allAbortedTxns);
    }

    @Test
    void renamesAndDeletesTheFile() throws IOException {
        TransactionIndex index = indexWithThreeEntries();
        index.flush();
        Path deleted = dir.resolve("00000000000000000000.txnindex.deleted");

        index.renameTo(deleted);

        assertEquals(List.of(FIRST, SECOND, THIRD), index.allAbortedTxns());
        assertTrue(index.deleteIfExists());
        assertFalse(Files.exists(deleted));
        assertFalse(Files.exists(file()));
    }
}
