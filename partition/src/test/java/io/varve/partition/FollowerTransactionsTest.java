package io.varve.partition;

import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.registration;
import static io.varve.partition.PartitionFixture.transactional;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's replica tracks what the leader's transactions did to its log: the markers it fetched
 * end transactions in its producer state, and the leader's high watermark, once it reaches the
 * follower, makes the completed ones stable, so the follower's last stable offset (what its cleaner
 * stops at, and where it starts if it leads) is the leader's. Leader log: producer 7's transaction at
 * 0..1 committed at 2, producer 8's open transaction at 3.
 */
class FollowerTransactionsTest {
    private static final long NOW = System.currentTimeMillis();
    private static final short EPOCH = 0;

    @TempDir
    Path dataDir;

    private PartitionLog leader;
    private PartitionLog followerLog;
    private HostedReplica follower;

    @BeforeEach
    void open() throws IOException {
        leader = open("leader");
        followerLog = open("follower");
        follower = new HostedReplica(TP, 1, followerLog, registration(List.of(1, 2), 2, 4, 0));
    }

    @AfterEach
    void close() throws IOException {
        leader.close();
        followerLog.close();
    }

    private PartitionLog open(String name) throws IOException {
        return PartitionLog.open(
                dataDir.resolve(name).resolve("orders-0"),
                TP,
                LogConfig.fromMap(Map.of()),
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
    }

    private MemoryRecords leaderLog() throws IOException {
        assertThat(leader.appendAsLeader(transactional(7L, EPOCH, 0, "a", 2, NOW), 4))
                .isInstanceOf(AppendResult.Appended.class);
        assertThat(leader.appendTxnMarker(7L, EPOCH, 0, true, 4, (short) 1)).isInstanceOf(AppendResult.Appended.class);
        assertThat(leader.appendAsLeader(transactional(8L, EPOCH, 0, "b", 1, NOW), 4))
                .isInstanceOf(AppendResult.Appended.class);
        return leader.readRecords(0, 1 << 20, Long.MAX_VALUE);
    }

    @Test
    void theLeadersHighWatermarkMakesTheReplicatedCommitStable() throws IOException {
        assertThat(followerLog.appendAsFollower(leaderLog())).isInstanceOf(AppendResult.Appended.class);
        assertThat(follower.lastStableOffset()).as("nothing replicated yet").isZero();

        follower.followLeaderHighWatermark(4);

        assertThat(follower.highWatermark()).isEqualTo(4);
        assertThat(follower.lastStableOffset())
                .as("producer 8's open transaction")
                .isEqualTo(3);
        assertThat(followerLog.producerState().ongoingTransactions()).containsOnlyKeys(3L);
    }

    @Test
    void truncatingAwayTheMarkerReopensTheTransaction() throws IOException {
        followerLog.appendAsFollower(leaderLog());
        follower.followLeaderHighWatermark(2);
        assertThat(follower.lastStableOffset()).isZero();

        followerLog.truncateTo(2);
        follower.capHighWatermarkAtLogEnd();

        assertThat(follower.highWatermark()).isEqualTo(2);
        assertThat(followerLog.producerState().ongoingTransactions()).containsOnlyKeys(0L);
        assertThat(follower.lastStableOffset()).isZero();
    }
}
