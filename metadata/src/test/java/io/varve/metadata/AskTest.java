package io.varve.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AskTest {
    private static final ActorTestKit KIT = ActorTestKit.create(
            ConfigFactory.parseString("replier-dispatcher { type = Dispatcher, executor = thread-pool-executor,"
                            + " thread-pool-executor.fixed-pool-size = 1 }")
                    .withFallback(ConfigFactory.load()));

    private record Echo(String text, ActorRef<String> replyTo) {}

    @AfterAll
    static void stopKit() {
        KIT.shutdownTestKit();
    }

    private static Behavior<Echo> echo() {
        return Behaviors.receiveMessage(echo -> {
            echo.replyTo().tell(echo.text());
            return Behaviors.same();
        });
    }

    @Test
    void dependentStagesRunOnTheThreadOfTheReplyingActor() throws Exception {
        TestProbe<Echo> asked = KIT.createTestProbe(Echo.class);
        ActorRef<Echo> replier = KIT.spawn(echo(), "replier", DispatcherSelector.fromConfig("replier-dispatcher"));

        CompletableFuture<String> thread = Ask.ask(
                        asked.ref(),
                        (ActorRef<String> replyTo) -> new Echo("hello", replyTo),
                        Duration.ofSeconds(5),
                        KIT.scheduler())
                .thenApply(reply -> reply + " on " + Thread.currentThread().getName());
        // the stage is attached before the reply exists; the replier answers from its own thread
        replier.tell(asked.receiveMessage());

        // Scala's CompletionStage view (AskPattern.ask) would run thenApply on another executor's thread
        assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("hello on ").contains("replier-dispatcher");
    }

    @Test
    void completesWithATimeoutWhenNoReplyComes() {
        TestProbe<Echo> silent = KIT.createTestProbe(Echo.class);

        CompletableFuture<String> answer = Ask.ask(
                silent.ref(),
                (ActorRef<String> replyTo) -> new Echo("lost", replyTo),
                Duration.ofMillis(50),
                KIT.scheduler());

        assertThat(silent.receiveMessage().text()).isEqualTo("lost");
        assertThatThrownBy(() -> answer.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class);
    }
}
