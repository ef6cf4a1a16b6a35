package io.varve.metadata;

import static io.varve.metadata.TestImages.BROKER_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.varve.metadata.Controller.MetadataUpdate;
import io.varve.metadata.Controller.RegisterBroker;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LogCapturingExtension.class)
class MetadataListenerTest {
    private static final Duration RETRY = Duration.ofSeconds(5);
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(
            ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(ManualTime.config()));
    private static final ManualTime TIME = ManualTime.get(TEST_KIT.system());

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void registersOnStartAndInstallsEveryUpdate() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, controller.ref(), cache, RETRY));

        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);
        assertThat(registration.broker()).isEqualTo(BROKER_1);
        registration.subscriber().tell(new MetadataUpdate(TestImages.image()));

        awaitOffset(cache, 7L);
        assertThat(cache.image()).isEqualTo(TestImages.image());
    }

    @Test
    void registersAgainWhenNoUpdateArrivesWithinTheRetryInterval() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, controller.ref(), cache, RETRY));
        controller.expectMessageClass(RegisterBroker.class);

        TIME.expectNoMessageFor(RETRY.minusMillis(1), controller);
        TIME.timePasses(Duration.ofMillis(1));

        assertThat(controller.expectMessageClass(RegisterBroker.class).broker()).isEqualTo(BROKER_1);
    }

    @Test
    void staysQuietWhileUpdatesArrive() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, controller.ref(), cache, RETRY));
        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);

        registration.subscriber().tell(new MetadataUpdate(TestImages.image()));
        awaitOffset(cache, 7L);
        TIME.timePasses(RETRY);

        controller.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void ignoresAnOlderImage() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(TestImages.image());
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, controller.ref(), cache, RETRY));
        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);
        MetadataImage older = MetadataImage.empty("c");
        MetadataImage newer = new MetadataImage(8L, "c", 1, TestImages.image().brokers(), Map.of(), Map.of(), Map.of());

        registration.subscriber().tell(new MetadataUpdate(older));
        registration.subscriber().tell(new MetadataUpdate(newer));

        awaitOffset(cache, 8L);
        assertThat(cache.image()).isEqualTo(newer);
    }

    @Test
    void aFailureRestartsTheListenerWhichRegistersAgain() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, controller.ref(), cache, RETRY));
        RegisterBroker first = controller.expectMessageClass(RegisterBroker.class);

        // an update the listener cannot install (a bug's stand-in): it fails while handling it
        LoggingTestKit.error(NullPointerException.class).expect(TEST_KIT.system(), () -> {
            first.subscriber().tell(new MetadataUpdate(null));
            return null;
        });

        // restarted after its backoff, it registers again and installs what the controller sends
        TIME.timePasses(Duration.ofMillis(300));
        RegisterBroker again = controller.expectMessageClass(RegisterBroker.class);
        assertThat(again.broker()).isEqualTo(BROKER_1);
        again.subscriber().tell(new MetadataUpdate(TestImages.image()));
        awaitOffset(cache, 7L);
    }

    /** The cache is written on the listener's thread: wait for it with a deadline. */
    private static void awaitOffset(MetadataCache cache, long offset) {
        TestProbe<Object> waiter = TEST_KIT.createTestProbe();
        waiter.awaitAssert(Duration.ofSeconds(3), () -> {
            assertThat(cache.image().offset()).isEqualTo(offset);
            return null;
        });
    }
}
