package io.varve.partition;

import static io.varve.partition.PartitionFixture.NODE;
import static io.varve.partition.PartitionFixture.TP;
import static io.varve.partition.PartitionFixture.batch;
import static io.varve.partition.PartitionFixture.offsetsAndValues;
import static io.varve.partition.PartitionFixture.registration;
import static io.varve.partition.PartitionFixture.transactional;
import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.Controller;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.partition.PartitionActor.AppendAsFollower;
import io.varve.partition.PartitionActor.Command;
import io.varve.partition.PartitionActor.FollowerProgress;
import io.varve.partition.PartitionActor.Read;
import io.varve.partition.PartitionActor.ReadResponse;
import io.varve.partition.PartitionActor.TxnMarkerWritten;
import io.varve.partition.PartitionActor.UpdateRegistration;
import io.varve.partition.PartitionActor.WriteTxnMarker;
import io.varve.partition.replication.ReplicaFetchers;
import io.varve.partition.replication.ReplicationContext;
import io.varve.partition.replication.ReplicationSettings;
import io.varve.storage.index.AbortedTxn;
import io.varve.storage.log.AppendResult;
import io.varve.storage.log.LogConfig;
import io.varve.storage.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that replicated transactions and then becomes the leader (a failover) answers as the
 * old leader would: the open transaction holds its last stable offset, read_committed reads report
 * the replicated abort with the old leader's last stable offset, its {@code .txnindex} is the
 * leader's byte for byte, markers of a coordinator epoch older than a replicated marker's are fenced,
 * and the coordinator's marker for the open transaction, sent to the new leader, makes it stable.
 * Leader log (epoch 4): producer 7's transaction at 0..1, producer 8's at 2..3, a plain record at 4,
 * producer 7's abort (coordinator epoch 3) at 5; producer 8's transaction is still open.
 */
class FollowerTransactionFailoverTest {
    private static final long NOW = System.currentTimeMillis();
    private static final short EPOCH = 0;

    @TempDir
    Path dataDir;

    private ActorTestKit testKit;
    private PartitionFixture fx;
    private PartitionLog leaderLog;

    @BeforeEach
    void start() throws IOException {
        testKit = ActorTestKit.create();
        fx = new PartitionFixture(testKit, dataDir.resolve("follower"));
        TestProbe<Controller.Command> controller = testKit.createTestProbe();
        TestProbe<ReplicaFetchers.Command> fetchers = testKit.createTestProbe();
        MetadataImage image = new MetadataImage(
                9L,
                "c",
                2,
                Map.of(1, broker(1), 2, broker(2)),
                Map.of(
                        1, new BrokerRegistration(broker(1), "i1", 11L, false),
                        2, new BrokerRegistration(broker(2), "i2", 12L, false)),
                Map.of(),
                Map.of(),
                Map.of());
        fx.replication = new ReplicationContext(
                controller.ref(), fetchers.ref(), new MetadataCache(image), ReplicationSettings.defaults());
        leaderLog = PartitionLog.open(
                dataDir.resolve("leader").resolve("orders-0"),
                TP,
                LogConfig.fromMap(Map.of()),
                0L,
                0L,
                false,
                86_400_000L,
                Clock.systemUTC());
    }

    @AfterEach
    void stop() throws IOException {
        testKit.shutdownTestKit();
        leaderLog.close();
    }

    private static BrokerInfo broker(int id) {
        return new BrokerInfo(id, "127.0.0." + id, 9092, null);
    }

    /** The old leader's log, as its follower fetches it. */
    private MemoryRecords leaderRecords() throws IOException {
        assertThat(leaderLog.appendAsLeader(transactional(7L, EPOCH, 0, "a", 2, NOW), 4))
                .isInstanceOf(AppendResult.Appended.class);
        assertThat(leaderLog.appendAsLeader(transactional(8L, EPOCH, 0, "b", 2, NOW), 4))
                .isInstanceOf(AppendResult.Appended.class);
        assertThat(leaderLog.appendAsLeader(batch("p", 1, NOW), 4)).isInstanceOf(AppendResult.Appended.class);
        assertThat(leaderLog.appendTxnMarker(7L, EPOCH, 3, false, 4, (short) 1))
                .isInstanceOf(AppendResult.Appended.class);
        return leaderLog.readRecords(0, 1 << 20, Long.MAX_VALUE);
    }

    @Test
    void aFollowerThatBecomesLeaderHasTheOldLeadersTransactions() throws IOException {
        fx.registration = registration(List.of(1, 2), 2, 4, 0);
        ActorRef<Command> partition = fx.spawn();
        TestProbe<FollowerProgress> progress = testKit.createTestProbe();
        partition.tell(new AppendAsFollower(4, leaderRecords(), 6L, 0L, progress.ref()));
        FollowerProgress appended = progress.receiveMessage();
        assertThat(appended.error()).as(appended.message()).isEqualTo(Errors.NONE);
        assertThat(appended.logEndOffset()).isEqualTo(6);
        assertThat(txnIndex(fx.dataDir))
                .as("the abort's .txnindex entry, byte for byte the leader's")
                .isNotEmpty()
                .isEqualTo(txnIndex(dataDir.resolve("leader")));

        // the leader's node died: this replica leads at epoch 5, alone in the ISR
        partition.tell(new UpdateRegistration(registration(List.of(1), NODE, 5, 1), LogConfig.fromMap(Map.of())));

        ReadResponse stable = readCommitted(partition, 0);
        assertThat(stable.error()).isEqualTo(Errors.NONE);
        assertThat(stable.highWatermark()).isEqualTo(6);
        assertThat(stable.lastStableOffset())
                .as("producer 8's open transaction at 2")
                .isEqualTo(2);
        assertThat(offsetsAndValues(stable.slice())).containsExactly("0:a-0", "1:a-1");
        assertThat(stable.abortedTransactions())
                .as("producer 7's abort, with the last stable offset the old leader indexed")
                .containsExactly(new AbortedTxn(7L, 0, 5, 2));

        assertThat(marker(partition, 7L, 2, false).error())
                .as("a marker of a coordinator older than the replicated abort's")
                .isEqualTo(Errors.TRANSACTION_COORDINATOR_FENCED);

        TxnMarkerWritten commit = marker(partition, 8L, 1, true);
        assertThat(commit.error()).isEqualTo(Errors.NONE);
        ReadResponse committed = readCommitted(partition, 0);
        assertThat(committed.lastStableOffset()).isEqualTo(7);
        assertThat(offsetsAndValues(committed.slice())).startsWith("0:a-0", "1:a-1", "2:b-0", "3:b-1", "4:p-0");
        assertThat(committed.abortedTransactions()).containsExactly(new AbortedTxn(7L, 0, 5, 2));
        assertThat(readCommitted(partition, 6).abortedTransactions()).isEmpty();
    }

    private ReadResponse readCommitted(ActorRef<Command> partition, long offset) {
        TestProbe<ReadResponse> probe = testKit.createTestProbe();
        partition.tell(new Read(offset, 1 << 20, true, true, -1, probe.ref()));
        return probe.receiveMessage();
    }

    private TxnMarkerWritten marker(
            ActorRef<Command> partition, long producerId, int coordinatorEpoch, boolean commit) {
        TestProbe<TxnMarkerWritten> probe = testKit.createTestProbe();
        partition.tell(new WriteTxnMarker(producerId, EPOCH, coordinatorEpoch, commit, (short) 1, 30_000, probe.ref()));
        return probe.receiveMessage();
    }

    private static byte[] txnIndex(Path root) throws IOException {
        return Files.readAllBytes(root.resolve("orders-0").resolve("00000000000000000000.txnindex"));
    }
}
