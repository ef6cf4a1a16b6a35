package io.varve.metadata;

import io.varve.metadata.Controller.MetadataUpdate;
import io.varve.metadata.Controller.RegisterBroker;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A node's link to the controller, one per node: registers the node's broker with the controller
 * and installs every {@link MetadataUpdate} it pushes into the node's {@link MetadataCache} (the
 * only writer of that cache). When a whole retry interval passes without an update it registers
 * again: at start the singleton may not be up yet, and a restarted or moved controller has lost its
 * subscribers. A repeated registration of an unchanged broker persists nothing and only answers
 * with the current image, which the cache ignores if it already has it.
 */
public final class MetadataListener extends AbstractBehavior<MetadataListener.Command> {

    /** Messages of this actor; all are its own (the controller's updates arrive through an adapter). */
    public sealed interface Command {}

    private record UpdateReceived(MetadataUpdate update) implements Command {}

    private enum RegisterTick implements Command {
        INSTANCE
    }

    private final BrokerInfo self;
    private final ActorRef<Controller.Command> controller;
    private final MetadataCache cache;
    private final ActorRef<MetadataUpdate> updates;
    private boolean updatedSinceTick;

    private MetadataListener(
            ActorContext<Command> context,
            TimerScheduler<Command> timers,
            BrokerInfo self,
            ActorRef<Controller.Command> controller,
            MetadataCache cache,
            Duration retryInterval) {
        super(context);
        this.self = self;
        this.controller = controller;
        this.cache = cache;
        this.updates = context.messageAdapter(MetadataUpdate.class, UpdateReceived::new);
        timers.startTimerWithFixedDelay(RegisterTick.INSTANCE, retryInterval);
        register();
    }

    /** A listener with the retry interval of {@code varve.controller.registration-retry-interval}. */
    public static Behavior<Command> create(
            BrokerInfo self, ActorRef<Controller.Command> controller, MetadataCache cache) {
        return Behaviors.setup(context -> {
            Duration retryInterval = ControllerSettings.fromConfig(
                            context.getSystem().settings().config())
                    .registrationRetryInterval();
            return create(self, controller, cache, retryInterval);
        });
    }

    /**
     * A listener that registers every {@code retryInterval} until updates arrive. A bug in handling
     * an update restarts it (after a backoff of 200 ms growing to 10 s while it keeps failing): the
     * new instance registers again and so gets the current image; without it the node's metadata
     * would silently stop changing.
     */
    public static Behavior<Command> create(
            BrokerInfo self, ActorRef<Controller.Command> controller, MetadataCache cache, Duration retryInterval) {
        Behavior<Command> listener = Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new MetadataListener(context, timers, self, controller, cache, retryInterval)));
        return Behaviors.supervise(listener)
                .onFailure(
                        RuntimeException.class,
                        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(UpdateReceived.class, this::onUpdateReceived)
                .onMessageEquals(RegisterTick.INSTANCE, this::onRegisterTick)
                .build();
    }

    private Behavior<Command> onUpdateReceived(UpdateReceived received) {
        updatedSinceTick = true;
        MetadataImage image = received.update().image();
        long before = cache.image().offset();
        cache.update(image);
        if (image.offset() > before) {
            getContext().getLog().debug("Installed metadata image at offset {} (was {})", image.offset(), before);
        }
        return this;
    }

    private Behavior<Command> onRegisterTick() {
        if (!updatedSinceTick) {
            getContext()
                    .getLog()
                    .debug("No metadata update within the retry interval, registering broker {} again", self.nodeId());
            register();
        }
        updatedSinceTick = false;
        return this;
    }

    private void register() {
        controller.tell(new RegisterBroker(self, updates));
    }
}
