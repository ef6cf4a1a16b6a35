package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.AllocateProducerIds;
import io.varve.metadata.Controller.CreateTopics;
import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.ImageChunk;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.ProducerIdBlock;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import io.varve.metadata.Controller.TopicResult;
import io.varve.metadata.Controller.TopicResults;
import io.varve.metadata.MetadataImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.jdbc.testkit.javadsl.SchemaUtils;
import org.apache.pekko.persistence.typed.internal.JournalFailureException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller as the node runs it: a cluster singleton on a one-node cluster, journal and
 * snapshots in an H2 file through pekko-persistence-jdbc, events and snapshots written by Kryo.
 * A second actor system on the same database recovers what the first persisted.
 */
@ExtendWith(LogCapturingExtension.class)
class ControllerSingletonTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dataDir;

    @Test
    void recoversTopicsAndProducerIdsFromTheJdbcJournalInANewActorSystem() throws Exception {
        ActorTestKit first = startNode();
        ActorRef<Controller.Command> controller = initController(first);
        TestProbe<MetadataPush> node = first.createTestProbe();
        String incarnation =
                Cluster.get(first.system()).selfMember().uniqueAddress().toString();
        // NOT_A_MEMBER_YET until the controller's membership view shows this node Up, which can come
        // after the singleton started; the node's MetadataListener registers again, as this does
        Registration registration = first.createTestProbe().awaitAssert(TIMEOUT, () -> {
            Registration answer = ask(
                    first,
                    controller,
                    Registration.class,
                    replyTo -> new RegisterBroker(BROKER_1, incarnation, -1L, node.ref(), replyTo));
            assertThat(answer.status()).isEqualTo(RegistrationStatus.REGISTERED);
            return answer;
        });
        assertThat(registration.status()).isEqualTo(RegistrationStatus.REGISTERED);
        assertThat(node.expectMessageClass(ImageChunk.class, TIMEOUT).part().brokers())
                .containsKey(1);
        TopicResult created = ask(
                        first,
                        controller,
                        TopicResults.class,
                        replyTo -> new CreateTopics(List.of(ControllerTestKit.topic("orders", 3, 1)), false, replyTo))
                .results()
                .get(0);
        ProducerIdBlock firstBlock = ask(first, controller, ProducerIdBlock.class, r -> new AllocateProducerIds(1, r));
        first.shutdownTestKit();

        ActorTestKit second = startNode();
        try {
            ActorRef<Controller.Command> recovered = initController(second);
            TestProbe<MetadataPush> chunks = second.createTestProbe();
            recovered.tell(new GetImage(chunks.ref()));
            MetadataImage image = new ImageChunks.Assembler()
                    .add(chunks.expectMessageClass(ImageChunk.class, TIMEOUT))
                    .orElseThrow();
            ProducerIdBlock secondBlock =
                    ask(second, recovered, ProducerIdBlock.class, r -> new AllocateProducerIds(1, r));

            assertThat(created.error()).isEqualTo(Errors.NONE);
            assertThat(image.topic("orders").orElseThrow().topicId()).isEqualTo(created.topicId());
            assertThat(image.topic("orders").orElseThrow().partitions()).hasSize(3);
            // activation, registration, topic and producer ids of the first run
            assertThat(image.offset()).isGreaterThanOrEqualTo(4L);
            assertThat(image.controllerId()).isEqualTo(1);
            assertThat(firstBlock.firstProducerId()).isZero();
            assertThat(secondBlock.firstProducerId()).isEqualTo(1000L);
        } finally {
            second.shutdownTestKit();
        }
    }

    /**
     * Why the cluster's removal margin may be short (docs/cluster.md): a controller that outlives the
     * start of its successor (its node cut off, not yet down) can no longer change the metadata log,
     * because its successor's first act is a write and the journal keeps each sequence number once.
     */
    @Test
    void aControllerThatOutlivesItsSuccessorCannotWriteToTheMetadataLog() throws Exception {
        ActorTestKit first = startNode();
        ActorTestKit second = null;
        try {
            ActorRef<Controller.Command> stale = initController(first);
            ProducerIdBlock staleBlock = ask(first, stale, ProducerIdBlock.class, r -> new AllocateProducerIds(1, r));

            // the successor, on another node of the same journal, while the first still runs
            second = startNode();
            ActorRef<Controller.Command> successor = initController(second);
            ProducerIdBlock successorBlock =
                    ask(second, successor, ProducerIdBlock.class, r -> new AllocateProducerIds(1, r));

            // the stale controller still believes 1000 is next: written, that block would be handed out twice
            TestProbe<ProducerIdBlock> staleAnswer = first.createTestProbe(ProducerIdBlock.class);
            LoggingTestKit.error(JournalFailureException.class).expect(first.system(), () -> {
                stale.tell(new AllocateProducerIds(1, staleAnswer.ref()));
                return null;
            });

            assertThat(staleBlock.firstProducerId()).isZero();
            assertThat(successorBlock.firstProducerId()).isEqualTo(1000L);
            first.shutdownTestKit();
            first = null;
            second.shutdownTestKit();
            second = null;
            staleAnswer.expectNoMessage(Duration.ZERO);

            ActorTestKit third = startNode();
            try {
                ActorRef<Controller.Command> recovered = initController(third);
                ProducerIdBlock next = ask(third, recovered, ProducerIdBlock.class, r -> new AllocateProducerIds(1, r));

                // the log holds the two blocks handed out (0 and 1000) and not the stale one's second 1000
                assertThat(next.firstProducerId()).isEqualTo(2000L);
            } finally {
                third.shutdownTestKit();
            }
        } finally {
            if (first != null) {
                first.shutdownTestKit();
            }
            if (second != null) {
                second.shutdownTestKit();
            }
        }
    }

    private ActorTestKit startNode() throws Exception {
        ActorTestKit testKit = ActorTestKit.create("varve", config());
        SchemaUtils.createIfNotExists(testKit.system()).toCompletableFuture().get();
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
            assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
            return null;
        });
        return testKit;
    }

    private static ActorRef<Controller.Command> initController(ActorTestKit testKit) {
        return Controller.initSingleton(testKit.system(), ControllerTestKit.SETTINGS, ControllerTestKit.POLICY, 1);
    }

    private static <R> R ask(
            ActorTestKit testKit,
            ActorRef<Controller.Command> controller,
            Class<R> replyType,
            Function<ActorRef<R>, Controller.Command> command) {
        TestProbe<R> probe = testKit.createTestProbe(replyType);
        controller.tell(command.apply(probe.ref()));
        return probe.expectMessageClass(replyType, TIMEOUT);
    }

    private Config config() {
        String url = "jdbc:h2:file:" + dataDir.resolve("journal").toAbsolutePath() + ";DB_CLOSE_DELAY=-1";
        return ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.persistence.journal.plugin = "jdbc-journal"
                pekko.persistence.snapshot-store.plugin = "jdbc-snapshot-store"
                jdbc-journal.use-shared-db = "slick"
                jdbc-snapshot-store.use-shared-db = "slick"
                jdbc-read-journal.use-shared-db = "slick"
                pekko-persistence-jdbc.shared-databases.slick {
                  profile = "slick.jdbc.H2Profile$"
                  db {
                    url = "%s"
                    user = "sa", password = "", driver = "org.h2.Driver"
                    numThreads = 2, maxConnections = 2, minConnections = 1
                  }
                }
                """
                        .formatted(url));
    }
}
