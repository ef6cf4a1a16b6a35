package io.varve.txn.markers;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.BrokerInfo;
import io.varve.metadata.BrokerRegistration;
import io.varve.metadata.MetadataCache;
import io.varve.metadata.MetadataImage;
import io.varve.metadata.PartitionRegistration;
import io.varve.metadata.TopicImage;
import io.varve.partition.PartitionActor;
import io.varve.partition.PartitionDirectory;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Markers to leaders on other nodes: sent to the leader's node's endpoint, re-targeted when the
 * leader changes while the coordinator waits, and refused at once (for a retry) when the partition
 * has no leader or its leader's endpoint is not listed. This node is 1; node 2's endpoint is a probe
 * (its registration names the probe's address), node 3 has none listed.
 */
class ClusterMarkerWriterTest {
    private static final Uuid TOPIC_ID = new Uuid(7L, 9L);
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    private ActorTestKit testKit;
    private MetadataCache metadata;
    private long imageOffset;
    private ClusterMarkerWriter writer;
    private TestProbe<MarkerEndpoint.Command> node2;
    private TestProbe<PartitionActor.Command> localPartition;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create();
        node2 = testKit.createTestProbe();
        localPartition = testKit.createTestProbe();
        metadata = new MetadataCache(image(2));
        PartitionDirectory directory = new PartitionDirectory() {
            @Override
            public Optional<ActorRef<PartitionActor.Command>> lookup(TopicPartition tp) {
                return Optional.of(localPartition.ref());
            }

            @Override
            public CompletionStage<Boolean> awaitHosted(Collection<TopicPartition> tps, Duration timeout) {
                return CompletableFuture.completedFuture(true);
            }
        };
        LocalMarkerWriter local =
                new LocalMarkerWriter(directory, metadata, testKit.system().scheduler(), Duration.ofSeconds(30));
        writer = new ClusterMarkerWriter(1, metadata, local, testKit.system().scheduler(), Duration.ofSeconds(30));
        writer.onListing(Set.of(node2.ref()));
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    /** Brokers 1-3 live; TP led by {@code leader} (-1: none). */
    private MetadataImage image(int leader) {
        String address = node2.ref().path().address().toString();
        Map<Integer, BrokerInfo> brokers = Map.of(1, broker(1), 2, broker(2), 3, broker(3));
        return new MetadataImage(
                ++imageOffset,
                "c",
                1,
                brokers,
                Map.of(
                        1, new BrokerRegistration(broker(1), "UniqueAddress(pekko://elsewhere@h:1,1)", 10L, false),
                        2, new BrokerRegistration(broker(2), "UniqueAddress(" + address + ",2)", 11L, false),
                        3, new BrokerRegistration(broker(3), "UniqueAddress(pekko://varve@h:3,3)", 12L, false)),
                Map.of(
                        "orders",
                        new TopicImage(
                                "orders",
                                TOPIC_ID,
                                Map.of(
                                        0,
                                        new PartitionRegistration(0, List.of(1, 2, 3), List.of(1, 2, 3), leader, 4, 4)),
                                Map.of())),
                Map.of(TOPIC_ID, "orders"),
                Map.of());
    }

    private static BrokerInfo broker(int id) {
        return new BrokerInfo(id, "127.0.0." + id, 9092, null);
    }

    private CompletableFuture<Errors> write() {
        return writer.writeMarker(TP, 70L, (short) 3, 5, true, (short) 2).toCompletableFuture();
    }

    @Test
    void aMarkerForALeaderOnAnotherNodeIsWrittenThere() throws Exception {
        CompletableFuture<Errors> answer = write();
        MarkerEndpoint.WriteMarker sent = node2.expectMessageClass(MarkerEndpoint.WriteMarker.class);
        assertThat(sent)
                .extracting(
                        MarkerEndpoint.WriteMarker::tp,
                        MarkerEndpoint.WriteMarker::producerId,
                        MarkerEndpoint.WriteMarker::producerEpoch,
                        MarkerEndpoint.WriteMarker::coordinatorEpoch,
                        MarkerEndpoint.WriteMarker::commit,
                        MarkerEndpoint.WriteMarker::transactionVersion)
                .containsExactly(TP, 70L, (short) 3, 5, true, (short) 2);
        sent.replyTo().tell(new MarkerEndpoint.MarkerResult(Errors.NONE));
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void aLeaderThatChangesWhileTheMarkerWaitsEndsTheWaitForARetryAtTheNewLeader() throws Exception {
        CompletableFuture<Errors> answer = write();
        node2.expectMessageClass(MarkerEndpoint.WriteMarker.class); // never answered: node 2 died
        metadata.update(image(1));
        assertThat(answer.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);

        // the coordinator's retry: node 1 leads now, its own partition writes the marker
        CompletableFuture<Errors> retried = write();
        PartitionActor.WriteTxnMarker local = localPartition.expectMessageClass(PartitionActor.WriteTxnMarker.class);
        assertThat(local.coordinatorEpoch()).isEqualTo(5);
        local.replyTo().tell(new PartitionActor.TxnMarkerWritten(TP, Errors.NONE, ""));
        assertThat(retried.get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NONE);
    }

    @Test
    void noLeaderOrAnUnlistedLeaderIsNotLeaderOrFollowerAtOnce() throws Exception {
        metadata.update(image(-1));
        assertThat(write().get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        metadata.update(image(3));
        assertThat(write().get(5, TimeUnit.SECONDS)).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
        node2.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aDeletedTopicIsUnknownTopicOrPartition() throws Exception {
        metadata.update(new MetadataImage(++imageOffset, "c", 1, Map.of(1, broker(1)), Map.of(), Map.of(), Map.of()));
        assertThat(write().get(5, TimeUnit.SECONDS)).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
}
