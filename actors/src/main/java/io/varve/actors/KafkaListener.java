package io.varve.actors;

import io.varve.metadata.Ask;
import io.varve.metadata.ControllerSettings;
import io.varve.partition.cleaner.CleanerSettings;
import io.varve.transport.api.ApiHandler;
import io.varve.transport.api.BrokerServices;
import io.varve.transport.api.CoreHandlers;
import io.varve.transport.api.HandlerRegistry;
import io.varve.transport.api.admin.AdminHandlers;
import io.varve.transport.server.KafkaServer;
import io.varve.transport.server.TransportMetrics;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;

/**
 * Starts the Kafka listener (transport's classic {@link KafkaServer}) with every API handler: bound at
 * once, accepting connections once {@code serving} completes (the node is registered), and
 * unbinds it first thing in a clean shutdown (CoordinatedShutdown's service-unbind phase) so no new
 * request arrives while the logs are closed.
 */
final class KafkaListener {
    private KafkaListener() {}

    static void start(
            ActorContext<?> context,
            BrokerServices services,
            Path dataDir,
            CleanerSettings cleaner,
            List<ApiHandler> coordinatorHandlers,
            CompletionStage<?> serving,
            CompletableFuture<InetSocketAddress> bound) {
        List<ApiHandler> handlers = new ArrayList<>(CoreHandlers.list());
        handlers.addAll(AdminHandlers.list(
                dataDir,
                cleaner,
                ControllerSettings.fromConfig(context.getSystem().settings().config())
                        .leaderBalance()));
        handlers.addAll(coordinatorHandlers);
        org.apache.pekko.actor.ActorRef server = Adapter.actorOf(
                context,
                KafkaServer.props(services, HandlerRegistry.of(handlers), new TransportMetrics(), serving),
                "kafka-server");
        Ask.inline(Patterns.ask(server, KafkaServer.GetBoundAddress.INSTANCE, Duration.ofSeconds(30)))
                .whenComplete((answer, error) -> {
                    if (error != null) {
                        bound.completeExceptionally(error);
                    } else if (answer instanceof KafkaServer.BoundAddress address) {
                        bound.complete(address.address());
                    } else {
                        bound.completeExceptionally(new IllegalStateException("listener answered " + answer));
                    }
                });
        CoordinatedShutdown.get(Adapter.toClassic(context.getSystem()))
                .addTask(CoordinatedShutdown.PhaseServiceUnbind(), "unbind-kafka-listener", () -> {
                    server.tell(PoisonPill.getInstance(), org.apache.pekko.actor.ActorRef.noSender());
                    return CompletableFuture.completedFuture(Done.getInstance());
                });
    }
}
