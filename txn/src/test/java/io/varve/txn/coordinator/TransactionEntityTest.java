package io.varve.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.txn.TransactionCoordinator;
import io.varve.txn.TransactionCoordinator.AddOffsets;
import io.varve.txn.TransactionCoordinator.AddPartitions;
import io.varve.txn.TransactionCoordinator.CheckDeadline;
import io.varve.txn.TransactionCoordinator.Describe;
import io.varve.txn.TransactionCoordinator.EndTxn;
import io.varve.txn.TransactionCoordinator.ErrorResult;
import io.varve.txn.TransactionCoordinator.InitProducerId;
import io.varve.txn.TransactionCoordinator.PartitionErrors;
import io.varve.txn.TransactionCoordinator.ProducerIdAndEpoch;
import io.varve.txn.TransactionCoordinator.TransactionDescription;
import io.varve.txn.TransactionRegistry;
import io.varve.txn.TransactionState;
import io.varve.txn.TxnSettings;
import io.varve.txn.pid.ProducerIdManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The coordinator entity under Pekko's event-sourced test kit: what it persists and answers, the
 * markers it writes (with this incarnation's coordinator epoch), retries, restarts, timeouts.
 */
@ExtendWith(LogCapturingExtension.class)
class TransactionEntityTest {
    private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(CONFIG);
    private static final long START_MS = 1_700_000_000_000L;
    private static final TopicPartition A0 = new TopicPartition("a", 0);
    private static final TopicPartition B1 = new TopicPartition("b", 1);
    private static final long PID = 4000L;

    private final AtomicLong clock = new AtomicLong(START_MS);
    private final ScriptedMarkers markers = new ScriptedMarkers();
    private TestProbe<ProducerIdManager.Command> producerIds;
    private TestProbe<TransactionRegistry.Command> registry;
    private EventSourcedBehaviorTestKit<TransactionCoordinator.Command, TransactionEvent, TransactionRecord> entity;
    private String transactionalId;

    @BeforeEach
    void start() {
        producerIds = TEST_KIT.createTestProbe();
        registry = TEST_KIT.createTestProbe();
        entity = entity((short) 1);
    }

    private EventSourcedBehaviorTestKit<TransactionCoordinator.Command, TransactionEvent, TransactionRecord> entity(
            short transactionVersion) {
        return entity(
                transactionVersion, TxnSettings.fromConfig(ConfigFactory.load()).addPartitionsRetryTimeout());
    }

    private EventSourcedBehaviorTestKit<TransactionCoordinator.Command, TransactionEvent, TransactionRecord> entity(
            short transactionVersion, Duration addPartitionsRetryTimeout) {
        return entity(transactionVersion, addPartitionsRetryTimeout, Duration.ZERO);
    }

    private EventSourcedBehaviorTestKit<TransactionCoordinator.Command, TransactionEvent, TransactionRecord> entity(
            short transactionVersion, Duration addPartitionsRetryTimeout, Duration completionLinger) {
        transactionalId = "txn-" + System.nanoTime();
        TxnSettings base = TxnSettings.fromConfig(ConfigFactory.load());
        TxnSettings settings = new TxnSettings(
                transactionVersion,
                base.maxTimeout(),
                Duration.ofHours(1),
                Duration.ofSeconds(3),
                base.coordinatorAskTimeout(),
                Duration.ofMillis(10),
                base.addPartitionsRetryBackoff(),
                addPartitionsRetryTimeout,
                true,
                base.deadlineRetryInterval(),
                completionLinger,
                base.snapshotEvery(),
                base.readJournalPluginId());
        CoordinatorServices services =
                new CoordinatorServices(settings, producerIds.ref(), markers, markers, registry.ref(), clock::get);
        EventSourcedBehaviorTestKit<TransactionCoordinator.Command, TransactionEvent, TransactionRecord> kit =
                EventSourcedBehaviorTestKit.create(
                        TEST_KIT.system(),
                        TransactionEntity.create(transactionalId, services),
                        EventSourcedBehaviorTestKit.enabledSerializationSettings());
        kit.clear();
        return kit;
    }

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    /** InitProducerId on a new id: the entity asks for a producer id; this test hands out {@code PID}. */
    private ProducerIdAndEpoch initFresh(int timeoutMs) {
        TestProbe<ProducerIdAndEpoch> reply = TEST_KIT.createTestProbe();
        entity.runCommand(new InitProducerId(timeoutMs, -1, (short) -1, reply.ref()));
        ProducerIdManager.GenerateProducerId ask =
                producerIds.expectMessageClass(ProducerIdManager.GenerateProducerId.class);
        ask.replyTo().tell(new ProducerIdManager.GeneratedProducerId(PID, Errors.NONE));
        return reply.receiveMessage();
    }

    private void add(List<TopicPartition> partitions, short epoch) {
        var added = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, epoch, partitions, (short) 0, replyTo));
        assertThat(added.reply().errors().values()).containsOnly(Errors.NONE);
    }

    private TransactionMetadata metadata() {
        return entity.getState().metadata();
    }

    private void awaitState(TransactionState state) {
        TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(metadata().state()).isEqualTo(state);
            return null;
        });
    }

    @Test
    void newIdIsPersistedWithAFreshProducerIdAndReported() {
        ProducerIdAndEpoch ids = initFresh(60_000);

        assertThat(ids).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 0));
        assertThat(metadata().state()).isEqualTo(TransactionState.EMPTY);
        // each recovery reports nothing known yet (the kit's clear() restarts the entity, so one or two
        // such reports arrive, depending on whether the first recovery finished before the restart)
        TransactionRegistry.Track track = registry.expectMessageClass(TransactionRegistry.Track.class);
        int recoveries = 0;
        while (track.listing() == null) {
            assertThat(track.deadlineMs()).isEqualTo(Long.MAX_VALUE);
            recoveries++;
            track = registry.expectMessageClass(TransactionRegistry.Track.class);
        }
        assertThat(recoveries).isBetween(1, 2);
        assertThat(track.listing().state()).isEqualTo("Empty");
        assertThat(track.deadlineMs()).isEqualTo(START_MS + Duration.ofHours(1).toMillis());
    }

    @Test
    void commitWritesMarkersUnderANewCoordinatorEpochThenCompletes() {
        initFresh(60_000);
        add(List.of(A0, B1), (short) 0);
        var offsets = entity.<ErrorResult>runCommand(
                replyTo -> new AddOffsets(PID, (short) 0, "g", false, (short) 0, replyTo));
        assertThat(offsets.reply().error()).isEqualTo(Errors.NONE);

        var end =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 0, replyTo));

        assertThat(end.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 0));
        assertThat(end.events().get(0)).isEqualTo(new TransactionEvent.CoordinatorEpochIncremented(1));
        assertThat(((TransactionEvent.TransactionRecorded) end.events().get(1))
                        .metadata()
                        .state())
                .isEqualTo(TransactionState.PREPARE_COMMIT);
        awaitState(TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written)
                .containsExactlyInAnyOrder(
                        "a-0 pid=4000 epoch=0 coordinatorEpoch=1 COMMIT tv=0",
                        "b-1 pid=4000 epoch=0 coordinatorEpoch=1 COMMIT tv=0",
                        "group g pid=4000 epoch=0 COMMIT");
        assertThat(metadata().partitions()).isEmpty();
    }

    @Test
    void retriableMarkerFailuresAreSentAgainUntilWritten() {
        markers.answer("a-0", Errors.NOT_LEADER_OR_FOLLOWER, Errors.REQUEST_TIMED_OUT);
        initFresh(60_000);
        add(List.of(A0, B1), (short) 0);

        entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, false, (short) 0, replyTo));

        awaitState(TransactionState.COMPLETE_ABORT);
        assertThat(markers.written.stream().filter(m -> m.startsWith("a-0"))).hasSize(3);
        assertThat(markers.written.stream().filter(m -> m.startsWith("b-1"))).hasSize(1);
    }

    @Test
    void markersOfDeletedTopicsAreLeftOut() {
        markers.answer("a-0", Errors.UNKNOWN_TOPIC_OR_PARTITION);
        initFresh(60_000);
        add(List.of(A0), (short) 0);
        entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 0, replyTo));
        awaitState(TransactionState.COMPLETE_COMMIT);
    }

    @Test
    void aRestartedEntityInPrepareCommitWritesTheMarkersAgainWithAHigherCoordinatorEpoch() {
        markers.answer(
                "a-0",
                Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS,
                Errors.NOT_ENOUGH_REPLICAS);
        initFresh(60_000);
        add(List.of(A0), (short) 0);
        entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 0, replyTo));
        assertThat(entity.getState().coordinatorEpoch()).isEqualTo(1);

        entity.restart();

        awaitState(TransactionState.COMPLETE_COMMIT);
        assertThat(entity.getState().coordinatorEpoch()).isEqualTo(2);
        assertThat(markers.written).contains("a-0 pid=4000 epoch=0 coordinatorEpoch=2 COMMIT tv=0");
    }

    @Test
    void theRegistrysPokeAbortsATimedOutTransactionWithAFencingEpoch() {
        initFresh(1_000);
        add(List.of(A0), (short) 0);
        clock.addAndGet(999);
        entity.runCommand(new CheckDeadline());
        assertThat(metadata().state()).isEqualTo(TransactionState.ONGOING);

        clock.addAndGet(1);
        entity.runCommand(new CheckDeadline());

        awaitState(TransactionState.COMPLETE_ABORT);
        assertThat(markers.written).containsExactly("a-0 pid=4000 epoch=1 coordinatorEpoch=1 ABORT tv=1");
        var zombie =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 0, replyTo));
        assertThat(zombie.reply().error()).isEqualTo(Errors.PRODUCER_FENCED);
    }

    @Test
    void initProducerIdDuringAnOpenTransactionAbortsItAndIsRetried() {
        initFresh(60_000);
        add(List.of(A0), (short) 0);

        var fence =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new InitProducerId(60_000, -1, (short) -1, replyTo));

        assertThat(fence.reply().error()).isEqualTo(Errors.CONCURRENT_TRANSACTIONS);
        awaitState(TransactionState.COMPLETE_ABORT);
        var retry =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new InitProducerId(60_000, -1, (short) -1, replyTo));
        assertThat(retry.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 2));
    }

    @Test
    void versionTwoEndTxnAnswersTheBumpedEpochAndMarkersCarryIt() {
        entity = entity((short) 2);
        initFresh(60_000);
        var added = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 0, List.of(A0), (short) 2, replyTo));
        assertThat(added.reply().errors()).isEqualTo(Map.of(A0, Errors.NONE));

        var end =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 2, replyTo));

        assertThat(end.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 1));
        awaitState(TransactionState.COMPLETE_COMMIT);
        assertThat(markers.written).containsExactly("a-0 pid=4000 epoch=1 coordinatorEpoch=1 COMMIT tv=2");
    }

    /** Version 2: a committed transaction (epoch 0 to 1) whose marker to a-0 is held. */
    private void commitVersionTwoWithMarkersHeld() {
        initFresh(60_000);
        var added = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 0, List.of(A0), (short) 2, replyTo));
        assertThat(added.reply().errors()).isEqualTo(Map.of(A0, Errors.NONE));
        markers.hold("a-0");
        var end =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 2, replyTo));
        assertThat(end.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 1));
        assertThat(metadata().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
    }

    @Test
    void aLeadersAddForTheNextTransactionWaitsForTheMarkersInsteadOfConcurrentTransactions() {
        entity = entity((short) 2, Duration.ofSeconds(30));
        commitVersionTwoWithMarkersHeld();
        TestProbe<PartitionErrors> next = TEST_KIT.createTestProbe();

        entity.runCommand(new AddPartitions(PID, (short) 1, List.of(B1), (short) 2, next.ref()));
        entity.runCommand(new AddPartitions(PID, (short) 1, List.of(A0), (short) 2, next.ref()));

        assertThat(metadata().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        markers.release("a-0");
        assertThat(next.receiveMessage().errors()).isEqualTo(Map.of(B1, Errors.NONE));
        assertThat(next.receiveMessage().errors()).isEqualTo(Map.of(A0, Errors.NONE));
        assertThat(metadata().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(metadata().producerEpoch()).isEqualTo((short) 1);
        assertThat(metadata().partitions()).containsExactlyInAnyOrder(A0, B1);
        assertThat(markers.written).containsExactly("a-0 pid=4000 epoch=1 coordinatorEpoch=1 COMMIT tv=2");
    }

    @Test
    void aHeldAddIsAnsweredConcurrentTransactionsWhenTheMarkersOutlastTheRetryTimeout() {
        entity = entity((short) 2, Duration.ofMillis(200));
        commitVersionTwoWithMarkersHeld();
        TestProbe<PartitionErrors> next = TEST_KIT.createTestProbe();

        entity.runCommand(new AddPartitions(PID, (short) 1, List.of(B1), (short) 2, next.ref()));

        assertThat(next.receiveMessage(Duration.ofSeconds(10)).errors())
                .isEqualTo(Map.of(B1, Errors.CONCURRENT_TRANSACTIONS));
        assertThat(metadata().state()).isEqualTo(TransactionState.PREPARE_COMMIT);
        markers.release("a-0");
        awaitState(TransactionState.COMPLETE_COMMIT);
        assertThat(metadata().partitions()).isEmpty();
    }

    @Test
    void duringMarkersOnlyALeadersAddAtTheCurrentEpochIsHeld() {
        entity = entity((short) 2, Duration.ofSeconds(30));
        commitVersionTwoWithMarkersHeld();

        var producerAdd = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 1, List.of(B1), (short) 0, replyTo));
        var oldEpoch = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 0, List.of(B1), (short) 2, replyTo));

        assertThat(producerAdd.reply().errors()).isEqualTo(Map.of(B1, Errors.CONCURRENT_TRANSACTIONS));
        assertThat(oldEpoch.reply().errors()).isEqualTo(Map.of(B1, Errors.PRODUCER_FENCED));
        markers.release("a-0");
        awaitState(TransactionState.COMPLETE_COMMIT);
    }

    /** Version 2 with a completion linger: a committed transaction (epoch 0 to 1) whose markers are written. */
    private void commitVersionTwoWithCompletionLingering() {
        entity = entity((short) 2, Duration.ofSeconds(30), Duration.ofSeconds(30));
        initFresh(60_000);
        entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 0, List.of(A0), (short) 2, replyTo));
        var end =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 2, replyTo));
        assertThat(end.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 1));
        TEST_KIT.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
            assertThat(markers.written).containsExactly("a-0 pid=4000 epoch=1 coordinatorEpoch=1 COMMIT tv=2");
            return null;
        });
    }

    @Test
    void aLingeringCompletionIsPersistedWithTheNextTransactionsFirstAdd() {
        commitVersionTwoWithCompletionLingering();
        assertThat(metadata().state()).isEqualTo(TransactionState.PREPARE_COMMIT);

        var next = entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 1, List.of(B1), (short) 2, replyTo));

        assertThat(next.reply().errors()).isEqualTo(Map.of(B1, Errors.NONE));
        assertThat(metadata().state()).isEqualTo(TransactionState.ONGOING);
        assertThat(metadata().partitions()).containsExactly(B1);
        List<TransactionState> recorded =
                entity.persistenceTestKit().persistedInStorage("txn|" + transactionalId).stream()
                        .filter(TransactionEvent.TransactionRecorded.class::isInstance)
                        .map(event -> ((TransactionEvent.TransactionRecorded) event)
                                .metadata()
                                .state())
                        .toList();
        assertThat(recorded.subList(recorded.size() - 2, recorded.size()))
                .containsExactly(TransactionState.COMPLETE_COMMIT, TransactionState.ONGOING);
    }

    @Test
    void anEndTxnDuringTheCompletionLingerIsHandledAfterTheCompletionInsteadOfConcurrentTransactions() {
        commitVersionTwoWithCompletionLingering();

        var abortEmpty =
                entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 1, false, (short) 2, replyTo));

        assertThat(abortEmpty.reply()).isEqualTo(new ProducerIdAndEpoch(Errors.NONE, PID, (short) 2));
    }

    @Test
    void withoutAnAddTheCompletionIsPersistedAloneAfterTheLinger() {
        entity = entity((short) 2, Duration.ofSeconds(30), Duration.ofMillis(100));
        initFresh(60_000);
        entity.<PartitionErrors>runCommand(
                replyTo -> new AddPartitions(PID, (short) 0, List.of(A0), (short) 2, replyTo));
        entity.<ProducerIdAndEpoch>runCommand(replyTo -> new EndTxn(PID, (short) 0, true, (short) 2, replyTo));

        awaitState(TransactionState.COMPLETE_COMMIT);
        assertThat(metadata().producerEpoch()).isEqualTo((short) 1);
    }

    @Test
    void describeReportsKafkasStateNamesAndUnknownIds() {
        var unknown = entity.<TransactionDescription>runCommand(Describe::new);
        assertThat(unknown.reply().error()).isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);

        initFresh(60_000);
        add(List.of(B1, A0), (short) 0);
        var described = entity.<TransactionDescription>runCommand(Describe::new);

        assertThat(described.reply().state()).isEqualTo("Ongoing");
        assertThat(described.reply().partitions()).containsExactly(A0, B1);
        assertThat(described.reply().txnTimeoutMs()).isEqualTo(60_000);
        assertThat(described.reply().txnStartTimestamp()).isEqualTo(START_MS);
    }

    @Test
    void idleIdsExpireAndStartAgainWithANewProducerId() {
        initFresh(60_000);
        clock.addAndGet(Duration.ofHours(1).toMillis());

        var poke = entity.runCommand(new CheckDeadline());

        assertThat(poke.event()).isInstanceOf(TransactionEvent.TransactionalIdExpired.class);
        assertThat(metadata()).isNull();
        assertThat(entity.<TransactionDescription>runCommand(Describe::new)
                        .reply()
                        .error())
                .isEqualTo(Errors.TRANSACTIONAL_ID_NOT_FOUND);
    }

    @Test
    void verificationAndAddOffsetsVerifyOnly() {
        initFresh(60_000);
        add(List.of(A0), (short) 0);

        var verified = entity.<PartitionErrors>runCommand(
                replyTo -> new TransactionCoordinator.VerifyPartitions(PID, (short) 0, List.of(A0, B1), replyTo));
        var group = entity.<ErrorResult>runCommand(
                replyTo -> new AddOffsets(PID, (short) 0, "g", true, (short) 0, replyTo));

        assertThat(verified.reply().errors()).isEqualTo(Map.of(A0, Errors.NONE, B1, Errors.TRANSACTION_ABORTABLE));
        assertThat(verified.hasNoEvents()).isTrue();
        assertThat(group.reply().error()).isEqualTo(Errors.TRANSACTION_ABORTABLE);
    }
}
