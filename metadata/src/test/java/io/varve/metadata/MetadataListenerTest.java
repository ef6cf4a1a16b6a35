package io.varve.metadata;

import static io.varve.metadata.TestImages.BROKER_1;
import static io.varve.metadata.TestImages.incarnation;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.MetadataDelta;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.Controller.RegistrationStatus;
import io.varve.metadata.controller.ControllerEvent;
import io.varve.metadata.controller.ControllerEvent.BrokerRegistered;
import io.varve.metadata.controller.ControllerEvent.BrokersFenced;
import io.varve.metadata.controller.ControllerEvent.TopicCreated;
import io.varve.metadata.controller.ImageChunks;
import io.varve.metadata.controller.MetadataImageTransition;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
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
    private static final String SELF = incarnation(1);

    @AfterAll
    static void stop() {
        TEST_KIT.shutdownTestKit();
    }

    /** The controller's image after registering broker 1 (offset 1). */
    private static MetadataImage registeredImage() {
        return MetadataImageTransition.apply(
                io.varve.metadata.controller.ControllerState.initial("c").image(),
                new BrokerRegistered(BROKER_1, SELF));
    }

    @Test
    void registersOnStartAndInstallsTheFullImageInChunks() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));

        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);
        assertThat(registration.broker()).isEqualTo(BROKER_1);
        assertThat(registration.incarnation()).isEqualTo(SELF);
        assertThat(registration.knownOffset()).isEqualTo(-1L);
        ImageChunks.chunks(TestImages.image()).forEach(registration.subscriber()::tell);

        awaitOffset(cache, 7L);
        assertThat(cache.image()).isEqualTo(TestImages.image());
    }

    @Test
    void appliesDeltasThatFollowAndSkipsWhatItHas() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(registeredImage());
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));
        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);
        ControllerEvent topic =
                new TopicCreated("orders", new Uuid(1, 2), Map.of(0, TestImages.partition(0, 1)), Map.of());
        ControllerEvent fenced = new BrokersFenced(List.of(2));

        registration.subscriber().tell(new MetadataDelta(2L, List.of(topic)));
        registration.subscriber().tell(new MetadataDelta(2L, List.of(topic, fenced)));

        awaitOffset(cache, 3L);
        assertThat(cache.image())
                .isEqualTo(MetadataImageTransition.applyAll(registeredImage(), List.of(topic, fenced)));
        controller.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void asksForTheFullImageOnAGap() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(registeredImage());
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));
        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);

        registration.subscriber().tell(new MetadataDelta(5L, List.of(new BrokersFenced(List.of(2)))));

        GetImage ask = controller.expectMessageClass(GetImage.class);
        assertThat(ask.replyTo()).isEqualTo(registration.subscriber());
        assertThat(cache.image().offset()).isEqualTo(1L);
    }

    @Test
    void retriesTheRegistrationUntilTheControllerAnswers() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));
        RegisterBroker first = controller.expectMessageClass(RegisterBroker.class);

        TIME.expectNoMessageFor(RETRY.minusMillis(1), controller);
        TIME.timePasses(Duration.ofMillis(1));
        RegisterBroker second = controller.expectMessageClass(RegisterBroker.class);
        second.replyTo().tell(new Registration(RegistrationStatus.REGISTERED, 1L, null));
        first.replyTo().tell(new Registration(RegistrationStatus.REGISTERED, 1L, null));

        TIME.timePasses(RETRY.multipliedBy(2));
        controller.expectNoMessage(Duration.ofMillis(100));
    }

    @Test
    void aDuplicateNodeIdRefusesTheStart() throws Exception {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        CompletableFuture<String> refused = new CompletableFuture<>();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, refused::complete, RETRY));

        controller
                .expectMessageClass(RegisterBroker.class)
                .replyTo()
                .tell(new Registration(RegistrationStatus.DUPLICATE, -1L, "node id 1 is in use by X"));

        assertThat(refused.get(3, java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo("cannot register broker 1: node id 1 is in use by X");
    }

    @Test
    void registersAgainWhenAnImageShowsItFenced() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(registeredImage());
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));
        RegisterBroker registration = controller.expectMessageClass(RegisterBroker.class);
        registration.replyTo().tell(new Registration(RegistrationStatus.REGISTERED, 1L, null));

        registration.subscriber().tell(new MetadataDelta(2L, List.of(new BrokersFenced(List.of(1)))));

        RegisterBroker again = controller.expectMessageClass(RegisterBroker.class);
        assertThat(again.knownOffset()).isEqualTo(2L);
    }

    @Test
    void aFailureRestartsTheListenerWhichRegistersAgain() {
        TestProbe<Controller.Command> controller = TEST_KIT.createTestProbe();
        MetadataCache cache = new MetadataCache(MetadataImage.empty("c"));
        TEST_KIT.spawn(MetadataListener.create(BROKER_1, SELF, controller.ref(), cache, reason -> {}, RETRY));
        RegisterBroker first = controller.expectMessageClass(RegisterBroker.class);

        // a delta the listener cannot apply (a bug's stand-in): it fails while handling it
        LoggingTestKit.error(NullPointerException.class).expect(TEST_KIT.system(), () -> {
            first.subscriber().tell(new MetadataDelta(1L, null));
            return null;
        });

        // restarted after its backoff, it registers again and installs what the controller sends
        TIME.timePasses(Duration.ofMillis(300));
        RegisterBroker again = controller.expectMessageClass(RegisterBroker.class);
        assertThat(again.broker()).isEqualTo(BROKER_1);
        ImageChunks.chunks(TestImages.image()).forEach(again.subscriber()::tell);
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
