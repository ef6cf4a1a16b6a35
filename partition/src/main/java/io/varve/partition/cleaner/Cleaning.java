package io.varve.partition.cleaner;

import io.varve.partition.PartitionActor;
import io.varve.storage.cleaner.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One cleaning in flight: the partition, the worker (a cleaner thread's state) reserved for it while it
 * is starting or cleaning, its phase, and the flag its cleaner thread polls to stop early. Created and
 * changed by the {@link LogCleaner} actor only; the cleaner thread only reads {@link #aborted}.
 */
final class Cleaning {
    enum Phase {
        /** Waiting for the partition's snapshot. */
        STARTING,
        /** On a cleaner thread. */
        CLEANING,
        /** The partition is swapping the cleaned segments in; the worker is free again. */
        SWAPPING
    }

    final long id;
    final TopicPartition tp;
    final ActorRef<PartitionActor.Command> partition;
    final Cleaner worker;
    final AtomicBoolean aborted = new AtomicBoolean();
    Phase phase = Phase.STARTING;

    Cleaning(long id, TopicPartition tp, ActorRef<PartitionActor.Command> partition, Cleaner worker) {
        this.id = id;
        this.tp = tp;
        this.partition = partition;
        this.worker = worker;
    }
}
