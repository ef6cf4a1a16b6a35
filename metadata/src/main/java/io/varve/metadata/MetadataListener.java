package io.varve.metadata;

import io.varve.metadata.Controller.GetImage;
import io.varve.metadata.Controller.ImageChunk;
import io.varve.metadata.Controller.MetadataDelta;
import io.varve.metadata.Controller.MetadataPush;
import io.varve.metadata.Controller.RegisterBroker;
import io.varve.metadata.Controller.Registration;
import io.varve.metadata.controller.ImageChunks;
import io.varve.metadata.controller.MetadataImageTransition;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * A node's link to the controller, one per node and the only writer of the node's {@link
 * MetadataCache}:
 *
 * <ul>
 *   <li>registers the node's broker under its Pekko incarnation until the controller answers
 *       REGISTERED (again after {@code registration-retry-interval} without an answer, sooner when
 *       the controller does not see this member yet); DUPLICATE (the node id belongs to another live
 *       node) stops the node through {@code refuse};
 *   <li>applies each pushed {@link MetadataDelta} with the controller's own transition when it follows
 *       the cached image, and asks for a full image on a gap; installs a full image (its {@link
 *       ImageChunk}s assembled) when it is newer;
 *   <li>is listed with the receptionist ({@link #SERVICE_KEY}), so a newly started controller finds
 *       it and pushes the full image at once;
 *   <li>registers again when an installed image no longer shows this incarnation as a live broker.
 * </ul>
 */
public final class MetadataListener extends AbstractBehavior<MetadataListener.Command> {
    /** How node listeners are found by a controller that just started. */
    public static final ServiceKey<MetadataPush> SERVICE_KEY =
            ServiceKey.create(MetadataPush.class, "varve-metadata-listener");

    private static final Duration NOT_A_MEMBER_RETRY = Duration.ofMillis(300);

    /** Messages of this actor; all are its own (the controller's answers arrive through adapters). */
    public sealed interface Command {}

    private record Pushed(MetadataPush push) implements Command {}

    private record Answered(Registration registration) implements Command {}

    private enum RegisterTick implements Command {
        INSTANCE
    }

    private final BrokerInfo self;
    private final String incarnation;
    private final ActorRef<Controller.Command> controller;
    private final MetadataCache cache;
    private final Consumer<String> refuse;
    private final TimerScheduler<Command> timers;
    private final Duration retryInterval;
    private final ActorRef<MetadataPush> pushes;
    private final ActorRef<Registration> answers;
    private final ImageChunks.Assembler assembler = new ImageChunks.Assembler();
    private boolean registered;
    private long fullImageAskedAtOffset = Long.MIN_VALUE;

    private MetadataListener(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            BrokerInfo self,
            String incarnation,
            ActorRef<Controller.Command> controller,
            MetadataCache cache,
            Consumer<String> refuse,
            Duration retryInterval) {
        super(context);
        this.self = self;
        this.incarnation = incarnation;
        this.controller = controller;
        this.cache = cache;
        this.refuse = refuse;
        this.timers = timers;
        this.retryInterval = retryInterval;
        this.pushes = context.messageAdapter(MetadataPush.class, Pushed::new);
        this.answers = context.messageAdapter(Registration.class, Answered::new);
        context.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, pushes));
        register();
    }

    /** A listener with the retry interval of {@code varve.controller.registration-retry-interval}. */
    public static Behavior<Command> create(
            BrokerInfo self,
            String incarnation,
            ActorRef<Controller.Command> controller,
            MetadataCache cache,
            Consumer<String> refuse) {
        return Behaviors.setup(context -> {
            Duration retryInterval = ControllerSettings.fromConfig(
                            context.getSystem().settings().config())
                    .registrationRetryInterval();
            return create(self, incarnation, controller, cache, refuse, retryInterval);
        });
    }

    /**
     * A listener that sends its registration every {@code retryInterval} until the controller
     * answers. A bug in handling an update restarts it (after a backoff of 200 ms growing to 10 s
     * while it keeps failing): the new instance registers again with the offset it holds and so gets
     * the current image; without it the node's metadata would silently stop changing.
     */
    public static Behavior<Command> create(
            BrokerInfo self,
            String incarnation,
            ActorRef<Controller.Command> controller,
            MetadataCache cache,
            Consumer<String> refuse,
            Duration retryInterval) {
        Behavior<Command> listener = Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new MetadataListener(context, timers, self, incarnation, controller, cache, refuse, retryInterval)));
        return Behaviors.supervise(listener)
                .onFailure(
                        RuntimeException.class,
                        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Pushed.class, this::onPushed)
                .onMessage(Answered.class, this::onAnswered)
                .onMessageEquals(RegisterTick.INSTANCE, this::onRegisterTick)
                .build();
    }

    private Behavior<Command> onPushed(Pushed pushed) {
        if (pushed.push() instanceof MetadataDelta delta) {
            onDelta(delta);
        } else if (pushed.push() instanceof ImageChunk chunk) {
            assembler.add(chunk).ifPresent(this::install);
        }
        return this;
    }

    private void onDelta(MetadataDelta delta) {
        MetadataImage current = cache.image();
        long last = delta.baseOffset() + delta.events().size() - 1;
        if (last <= current.offset()) {
            return; // already applied (a full image overtook it)
        }
        if (delta.baseOffset() > current.offset() + 1) {
            askFullImage(current, delta);
            return;
        }
        int skip = (int) (current.offset() + 1 - delta.baseOffset());
        install(MetadataImageTransition.applyAll(
                current, delta.events().subList(skip, delta.events().size())));
    }

    private void askFullImage(MetadataImage current, MetadataDelta delta) {
        if (fullImageAskedAtOffset != current.offset()) {
            fullImageAskedAtOffset = current.offset();
            getContext()
                    .getLog()
                    .info(
                            "metadata gap: holding offset {}, delta starts at {}; asking for the full image",
                            current.offset(),
                            delta.baseOffset());
            controller.tell(new GetImage(pushes));
        }
    }

    private void install(MetadataImage image) {
        long before = cache.image().offset();
        cache.update(image);
        if (image.offset() > before) {
            getContext().getLog().debug("Installed metadata image at offset {} (was {})", image.offset(), before);
        }
        if (registered && !isLiveSelf(cache.image())) {
            getContext()
                    .getLog()
                    .warn(
                            "metadata offset {} no longer shows broker {} live as {}: registering again",
                            cache.image().offset(),
                            self.nodeId(),
                            incarnation);
            registered = false;
            register();
        }
    }

    private boolean isLiveSelf(MetadataImage image) {
        BrokerRegistration registration = image.registrations().get(self.nodeId());
        return registration != null
                && !registration.fenced()
                && registration.incarnation().equals(incarnation);
    }

    private Behavior<Command> onAnswered(Answered answered) {
        Registration registration = answered.registration();
        switch (registration.status()) {
            case REGISTERED -> {
                if (!registered) {
                    getContext()
                            .getLog()
                            .info("broker {} registered at broker epoch {}", self.nodeId(), registration.brokerEpoch());
                }
                registered = true;
                timers.cancel(RegisterTick.INSTANCE);
            }
            case NOT_A_MEMBER_YET -> {
                if (!registered) {
                    timers.startSingleTimer(RegisterTick.INSTANCE, NOT_A_MEMBER_RETRY);
                }
            }
            case DUPLICATE -> {
                getContext().getLog().error("cannot register broker {}: {}", self.nodeId(), registration.message());
                refuse.accept("cannot register broker " + self.nodeId() + ": " + registration.message());
                return Behaviors.stopped();
            }
        }
        return this;
    }

    private Behavior<Command> onRegisterTick() {
        if (!registered) {
            getContext().getLog().debug("registering broker {} (again)", self.nodeId());
            register();
        }
        return this;
    }

    private void register() {
        controller.tell(new RegisterBroker(self, incarnation, cache.image().offset(), pushes, answers));
        timers.startSingleTimer(RegisterTick.INSTANCE, retryInterval);
    }
}
