package io.varve.metadata.controller;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.BROKER_2;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.varve.metadata.BrokerInfo;
import io.varve.metadata.Controller;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A controller whose journal write failed restarts (with backoff) and replays, and must still follow
 * cluster membership afterwards. The fault campaign found one that did not (F4): the restart stopped
 * its membership watcher, so a node that joined later was never a live member to it and its
 * registrations were answered NOT_A_MEMBER_YET for minutes, until the singleton moved.
 */
@ExtendWith(LogCapturingExtension.class)
class ControllerPersistFailureTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private ActorTestKit first;
    private ActorTestKit second;

    @AfterEach
    void stop() {
        if (second != null) {
            second.shutdownTestKit();
        }
        if (first != null) {
            first.shutdownTestKit();
        }
    }

    @Test
    void aNodeThatJoinsAfterAFailedJournalWriteStillRegisters() {
        first = joinedNode(null);
        PersistenceTestKit journal = PersistenceTestKit.create(first.system());
        // the controller's first write is its activation after recovery: it fails, and the
        // controller restarts and recovers again
        journal.failNextPersisted();
        ActorRef<Controller.Command> controller = LoggingTestKit.error("Failed to persist event")
                .expect(
                        first.system(),
                        () -> first.spawn(ControllerBehavior.create(
                                ControllerTestKit.SETTINGS, ControllerTestKit.POLICY, 1, true)));
        registers(controller, BROKER_1, incarnation(first));

        second = joinedNode(Cluster.get(first.system()).selfMember().address());
        // a node that joined after the restart is a live member to the controller
        registers(controller, BROKER_2, incarnation(second));
    }

    /** Registers until the controller answers REGISTERED; fails with the last answer at the deadline. */
    private void registers(ActorRef<Controller.Command> controller, BrokerInfo broker, String incarnation) {
        TestProbe<MetadataPush> pushes = first.createTestProbe(MetadataPush.class);
        TestProbe<Registration> answers = first.createTestProbe(Registration.class);
        answers.awaitAssert(DEADLINE, Duration.ofMillis(200), () -> {
            controller.tell(new RegisterBroker(broker, incarnation, -1L, pushes.ref(), answers.ref()));
            Registration answer = answers.receiveMessage(Duration.ofSeconds(5));
            assertThat(answer.status())
                    .as("broker %d (%s): %s", broker.nodeId(), incarnation, answer.message())
                    .isEqualTo(RegistrationStatus.REGISTERED);
            return null;
        });
    }

    private static String incarnation(ActorTestKit node) {
        return Cluster.get(node.system()).selfMember().uniqueAddress().toString();
    }

    /** A node of a cluster: founding it when {@code seed} is null, else joining the seed. */
    private static ActorTestKit joinedNode(org.apache.pekko.actor.Address seed) {
        ActorTestKit node = ActorTestKit.create("varve", config());
        Cluster cluster = Cluster.get(node.system());
        cluster.manager().tell(Join.create(seed == null ? cluster.selfMember().address() : seed));
        node.createTestProbe().awaitAssert(DEADLINE, () -> {
            assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up());
            return null;
        });
        return node;
    }

    private static Config config() {
        return ConfigFactory.parseString(
                        """
                        pekko.actor.provider = cluster
                        pekko.remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
                        pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                        """)
                .withFallback(PersistenceTestKitPlugin.getInstance().config())
                .withFallback(PersistenceTestKitSnapshotPlugin.config());
    }
}
