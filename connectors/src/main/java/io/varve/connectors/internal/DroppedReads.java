package io.varve.connectors.internal;

import io.varve.partition.PartitionActor;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.Props;

/**
 * Gives back the segment files of read answers that reach no one. A {@link ReadStage} asks its
 * partition with Pekko's ask, whose temporary reply ref lives in the node's ActorSystem; an answer
 * that arrives after the ask timed out (a long poll answered just as it was abandoned, a read
 * answered after its timeout) goes to that system's dead letters, and a zero-copy answer holds a
 * retained segment file that only its receiver releases. This extension, one per node system a
 * stage read from, subscribes a small actor to the system's {@link DeadLetter}s and releases the
 * slice of every {@link PartitionActor.ReadResponse} among them. Releasing is idempotent, so an
 * answer released elsewhere and seen here again costs nothing. (Answers that reach the ask but
 * find the stage stopped are released by the stage's own feedback path.)
 */
public final class DroppedReads implements Extension {
    private static final Id ID = new Id();

    private DroppedReads() {}

    /** Makes sure {@code system}'s dead read answers are released (cheap after the first call). */
    static void watch(ActorSystem system) {
        ID.get(system);
    }

    private static final class Id extends AbstractExtensionId<DroppedReads> {
        @Override
        public DroppedReads createExtension(ExtendedActorSystem system) {
            ActorRef releaser = system.systemActorOf(Props.create(Releaser.class), "varve-dropped-reads");
            // subscribed here, before any stage of this system can send a read
            system.getEventStream().subscribe(releaser, DeadLetter.class);
            return new DroppedReads();
        }
    }

    /** Receives the system's dead letters; runs on the default dispatcher and never blocks. */
    static final class Releaser extends AbstractActor {
        @Override
        public Receive createReceive() {
            return receiveBuilder()
                    .match(DeadLetter.class, dead -> {
                        if (dead.message() instanceof PartitionActor.ReadResponse read && read.slice() != null) {
                            read.slice().release();
                        }
                    })
                    .build();
        }
    }
}
