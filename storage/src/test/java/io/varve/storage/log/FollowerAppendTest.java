package io.varve.storage.log;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.checkpoint.EpochEntry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's log takes the leader's batches byte for byte: offsets, epochs and producer state kept,
 * the epoch lineage exact even when one fetch spans several epochs, CRCs checked, a trailing partial
 * batch (a read stopped by its max bytes) left out.
 */
class FollowerAppendTest {
    @TempDir
    Path root;

    private LogFixture leader;
    private LogFixture follower;

    @AfterEach
    void close() throws IOException {
        for (LogFixture fx : new LogFixture[] {leader, follower}) {
            if (fx != null && fx.log != null && !fx.log.isOffline()) {
                fx.log.close();
            }
        }
    }

    /** A leader log with epochs 3 (offsets 0-4), 5 (5-7) and 8 (8-9). */
    private PartitionLog leaderLog() throws IOException {
        leader = new LogFixture(root.resolve("leader"));
        PartitionLog log = leader.open();
        log.appendAsLeader(Batches.batch("a", 5, leader.clock.millis()), 3);
        log.appendAsLeader(Batches.batch("b", 3, leader.clock.millis()), 5);
        log.appendAsLeader(Batches.batch("c", 2, leader.clock.millis()), 8);
        return log;
    }

    private PartitionLog followerLog() throws IOException {
        follower = new LogFixture(root.resolve("follower"));
        return follower.open();
    }

    @Test
    void oneFetchSpanningThreeEpochsGivesTheFollowerTheLeadersLineageAndBytes() throws IOException {
        PartitionLog source = leaderLog();
        PartitionLog replica = followerLog();

        AppendResult result = replica.appendAsFollower(source.readRecords(0, 1 << 20, Long.MAX_VALUE));

        assertThat(result).isInstanceOf(AppendResult.Appended.class);
        assertThat(replica.logEndOffset()).isEqualTo(10);
        assertThat(replica.leaderEpochCache().epochEntries())
                .containsExactly(new EpochEntry(3, 0), new EpochEntry(5, 5), new EpochEntry(8, 8))
                .isEqualTo(source.leaderEpochCache().epochEntries());
        source.flush();
        replica.flush();
        assertThat(Files.readAllBytes(replica.segments().get(0).file()))
                .isEqualTo(Files.readAllBytes(source.segments().get(0).file()));
    }

    @Test
    void aCorruptBatchIsRefusedAndNothingIsAppended() throws IOException {
        PartitionLog source = leaderLog();
        PartitionLog replica = followerLog();
        MemoryRecords records = source.readRecords(0, 1 << 20, Long.MAX_VALUE);
        ByteBuffer bytes = records.buffer().duplicate();
        int last = bytes.limit() - 1;
        bytes.put(last, (byte) (bytes.get(last) ^ 0x5a)); // a flipped bit in the last record of the last batch

        AppendResult result = replica.appendAsFollower(records);

        assertThat(result).isInstanceOf(AppendResult.Rejected.class);
        assertThat(((AppendResult.Rejected) result).error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(replica.logEndOffset()).isZero();
        assertThat(replica.size()).isZero();
    }

    @Test
    void aTrailingPartialBatchIsLeftOut() throws IOException {
        PartitionLog source = leaderLog();
        PartitionLog replica = followerLog();
        MemoryRecords all = source.readRecords(0, 1 << 20, Long.MAX_VALUE);
        int firstTwo = 0;
        int batches = 0;
        for (var batch : all.batches()) {
            if (batches++ < 2) {
                firstTwo += batch.sizeInBytes();
            }
        }
        ByteBuffer cut = all.buffer().duplicate();
        cut.limit(cut.position() + firstTwo + 20); // 20 bytes of the third batch
        MemoryRecords partial = MemoryRecords.readableRecords(cut.slice());

        AppendResult result = replica.appendAsFollower(partial);

        assertThat(((AppendResult.Appended) result).lastOffset()).isEqualTo(7);
        assertThat(replica.logEndOffset()).isEqualTo(8);
        assertThat(replica.size()).isEqualTo(firstTwo);
        // the next fetch continues at offset 8 and the log stays a copy of the leader's
        replica.appendAsFollower(source.readRecords(8, 1 << 20, Long.MAX_VALUE));
        assertThat(Batches.offsetsAndValues(replica.readRecords(0, 1 << 20, Long.MAX_VALUE)))
                .isEqualTo(Batches.offsetsAndValues(source.readRecords(0, 1 << 20, Long.MAX_VALUE)));
    }

    @Test
    void batchesBehindTheLogEndAreRefused() throws IOException {
        PartitionLog source = leaderLog();
        PartitionLog replica = followerLog();
        replica.appendAsFollower(source.readRecords(0, 1 << 20, Long.MAX_VALUE));

        AppendResult again = replica.appendAsFollower(source.readRecords(5, 1 << 20, Long.MAX_VALUE));

        assertThat(((AppendResult.Rejected) again).error()).isEqualTo(Errors.UNKNOWN_SERVER_ERROR);
        assertThat(replica.logEndOffset()).isEqualTo(10);
    }

    @Test
    void idempotentProducerStateFollowsTheLeader() throws IOException {
        leader = new LogFixture(root.resolve("leader"));
        PartitionLog source = leader.open();
        source.appendAsLeader(
                Batches.idempotent(Compression.NONE, 42L, (short) 0, 0, "p", 4, leader.clock.millis()), 1);
        PartitionLog replica = followerLog();

        replica.appendAsFollower(source.readRecords(0, 1 << 20, Long.MAX_VALUE));
        // as the new leader, the follower answers a retried batch as a duplicate of its original
        AppendResult retried = replica.appendAsLeader(
                Batches.idempotent(Compression.NONE, 42L, (short) 0, 0, "p", 4, follower.clock.millis()), 2);

        assertThat(retried).isInstanceOf(AppendResult.Appended.class);
        assertThat(((AppendResult.Appended) retried).firstOffset()).isZero();
        assertThat(((AppendResult.Appended) retried).duplicate()).isTrue();
        assertThat(replica.logEndOffset()).isEqualTo(4);
    }

    @Test
    void aNewLeaderRecordsItsEpochAtTheLogEndOnce() throws IOException {
        PartitionLog log = leaderLog();

        log.assignEpochStartOffset(9);
        log.assignEpochStartOffset(9);
        log.assignEpochStartOffset(7);

        assertThat(log.leaderEpochCache().latestEntry()).contains(new EpochEntry(9, 10));
        assertThat(log.leaderEpochCache().epochEntries()).hasSize(4);
    }
}
