package io.varve.transport.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Spawns a classic actor under a typed test kit, as the node does with {@code Adapter.actorOf}. */
public final class ClassicSpawner {
    private ClassicSpawner() {}

    public static ActorRef spawn(ActorTestKit testKit, Props props) throws Exception {
        CompletableFuture<ActorRef> spawned = new CompletableFuture<>();
        testKit.spawn(Behaviors.<Void>setup(context -> {
            spawned.complete(Adapter.actorOf(context, props));
            return Behaviors.empty();
        }));
        return spawned.get(5, TimeUnit.SECONDS);
    }
}
