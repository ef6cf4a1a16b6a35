package io.varve.txn.pid;

import static org.assertj.core.api.Assertions.assertThat;

import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.ProducerIdBlock;
import io.varve.txn.pid.ProducerIdManager.GenerateProducerId;
import io.varve.txn.pid.ProducerIdManager.GeneratedProducerId;
import io.varve.txn.pid.ProducerIdManager.Timing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProducerIdManagerTest {
    private static final int BROKER = 7;
    private static final Timing TIMING =
            new Timing(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofSeconds(1), 3);
    private static final Duration QUIET = Duration.ofMillis(100);

    private ActorTestKit testKit;
    private ManualTime manualTime;
    private TestProbe<Controller.Command> controller;
    private TestProbe<GeneratedProducerId> client;
    private ActorRef<ProducerIdManager.Command> manager;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create(ManualTime.config());
        manualTime = ManualTime.get(testKit.system());
        controller = testKit.createTestProbe();
        client = testKit.createTestProbe();
        manager = testKit.spawn(ProducerIdManager.create(controller.ref(), BROKER, TIMING));
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private AllocateProducerIds expectAllocate() {
        AllocateProducerIds allocate = controller.expectMessageClass(AllocateProducerIds.class);
        assertThat(allocate.brokerId()).isEqualTo(BROKER);
        return allocate;
    }

    /**
     * Lets the retry backoff pass until the manager asks again: the failed answer reaches the
     * manager asynchronously, so its retry timer may start only after a first advance of time.
     */
    private AllocateProducerIds expectRetryAfter(Duration backoff) {
        return controller.awaitAssert(() -> {
            manualTime.timePasses(backoff);
            return controller.expectMessageClass(AllocateProducerIds.class, Duration.ofMillis(50));
        });
    }

    private static void grant(AllocateProducerIds allocate, long first, int size) {
        allocate.replyTo().tell(new ProducerIdBlock(BROKER, first, size, Errors.NONE));
    }

    private long generate() {
        manager.tell(new GenerateProducerId(client.ref()));
        GeneratedProducerId generated = client.receiveMessage();
        assertThat(generated.error()).isEqualTo(Errors.NONE);
        return generated.producerId();
    }

    @Test
    void servesConsecutiveIdsFromTheFirstBlock() {
        grant(expectAllocate(), 1_000, 100);
        assertThat(List.of(generate(), generate(), generate())).containsExactly(1_000L, 1_001L, 1_002L);
        controller.expectNoMessage(QUIET);
    }

    @Test
    void queuedRequestsAreAnsweredWhenTheBlockArrives() {
        AllocateProducerIds allocate = expectAllocate();
        TestProbe<GeneratedProducerId> other = testKit.createTestProbe();
        manager.tell(new GenerateProducerId(client.ref()));
        manager.tell(new GenerateProducerId(other.ref()));
        client.expectNoMessage(QUIET);

        grant(allocate, 500, 10);

        assertThat(client.receiveMessage()).isEqualTo(new GeneratedProducerId(500, Errors.NONE));
        assertThat(other.receiveMessage()).isEqualTo(new GeneratedProducerId(501, Errors.NONE));
    }

    @Test
    void prefetchesTheNextBlockWhenTenPercentRemain() {
        grant(expectAllocate(), 1_000, 10);
        for (int i = 0; i < 8; i++) {
            generate();
        }
        controller.expectNoMessage(QUIET);

        assertThat(generate()).isEqualTo(1_008);
        AllocateProducerIds prefetch = expectAllocate();
        grant(prefetch, 2_000, 10);

        assertThat(generate()).isEqualTo(1_009);
        assertThat(generate()).isEqualTo(2_000);
    }

    @Test
    void neverHandsOutAnIdTwiceAcrossBlocks() {
        grant(expectAllocate(), 0, 10);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            ids.add(generate());
        }
        // a block overlapping the first is refused and asked for again
        grant(expectAllocate(), 5, 10);
        ids.add(generate());
        manager.tell(new GenerateProducerId(client.ref()));
        client.expectNoMessage(QUIET);
        grant(expectRetryAfter(TIMING.backoff(1)), 10, 10);
        ids.add(client.receiveMessage().producerId());
        for (int i = 0; i < 9; i++) {
            ids.add(generate());
        }
        grant(expectAllocate(), 20, 10);
        ids.add(generate());

        assertThat(ids)
                .containsExactlyElementsOf(LongStream.range(0, 21).boxed().toList());
    }

    @Test
    void retriesWithBackoffAndAnswersWaitingRequestsAfterRepeatedFailures() {
        expectAllocate().replyTo().tell(new ProducerIdBlock(BROKER, -1, 0, Errors.UNKNOWN_SERVER_ERROR));
        manager.tell(new GenerateProducerId(client.ref()));
        expectRetryAfter(TIMING.backoff(1))
                .replyTo()
                .tell(new ProducerIdBlock(BROKER, -1, 0, Errors.UNKNOWN_SERVER_ERROR));
        // the third attempt gets no answer at all
        expectRetryAfter(TIMING.backoff(2));
        client.expectNoMessage(QUIET);
        manualTime.timePasses(TIMING.askTimeout());

        assertThat(client.receiveMessage()).isEqualTo(new GeneratedProducerId(-1, Errors.COORDINATOR_LOAD_IN_PROGRESS));
        manager.tell(new GenerateProducerId(client.ref()));
        assertThat(client.receiveMessage()).isEqualTo(new GeneratedProducerId(-1, Errors.COORDINATOR_LOAD_IN_PROGRESS));

        grant(expectRetryAfter(TIMING.backoff(3)), 3_000, 10);
        // the block reaches the manager asynchronously; until then requests are still refused
        long first = client.awaitAssert(() -> {
            manager.tell(new GenerateProducerId(client.ref()));
            GeneratedProducerId generated = client.receiveMessage();
            assertThat(generated.error()).isEqualTo(Errors.NONE);
            return generated.producerId();
        });
        assertThat(first).isEqualTo(3_000);
        assertThat(generate()).isEqualTo(3_001);
    }

    @Test
    void aFailureAnswersTheWaitingRequestsAndTheRestartedManagerServesAFreshBlock() {
        expectAllocate(); // never answered: the request below waits for it
        manager.tell(new GenerateProducerId(client.ref()));
        client.expectNoMessage(QUIET);

        // a bug's stand-in: an answer the manager fails to handle
        manager.tell(new ProducerIdManager.BlockReceived(null, null));

        assertThat(client.receiveMessage()).isEqualTo(new GeneratedProducerId(-1, Errors.COORDINATOR_LOAD_IN_PROGRESS));
        manager.tell(new GenerateProducerId(client.ref())); // waits while the manager restarts
        AllocateProducerIds fresh = controller.awaitAssert(() -> {
            manualTime.timePasses(Duration.ofSeconds(1));
            return controller.expectMessageClass(AllocateProducerIds.class, Duration.ofMillis(50));
        });
        grant(fresh, 9_000, 10);
        assertThat(client.receiveMessage()).isEqualTo(new GeneratedProducerId(9_000, Errors.NONE));
        assertThat(generate()).isEqualTo(9_001);
    }

    @Test
    void backoffDoublesUpToItsLimit() {
        assertThat(TIMING.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(TIMING.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(TIMING.backoff(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(TIMING.backoff(30)).isEqualTo(Duration.ofSeconds(1));
    }
}
