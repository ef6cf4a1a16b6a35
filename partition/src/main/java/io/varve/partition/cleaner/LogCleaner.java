package io.varve.partition.cleaner;

import io.varve.metadata.LocalOnly;
import io.varve.partition.PartitionActor;
import io.varve.storage.cleaner.CleaningResult;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The node's log cleaner (Kafka's LogCleaner and its manager): it keeps the compacted partitions the
 * replica manager reports, every {@code log.cleaner.backoff.ms} asks them how dirty their logs are,
 * picks the dirtiest one due ({@code min.cleanable.dirty.ratio}, {@code max.compaction.lag.ms}) for
 * each idle cleaner thread, and cleans it:
 *
 * <pre>
 *   LogCleaner                 PartitionActor (owns the log)        cleaner thread
 *      |-- DescribeCleanable ----->|  range: clean / dirty / uncleanable
 *      |-- StartCleaning --------->|  snapshot of closed segments (own file handles)
 *      |<-------- CleaningStarted -|
 *      |------------------------------------------------------------> Cleaner.clean(snapshot)
 *      |<-------------------------------------------------- CleaningResult (.cleaned files)
 *      |-- SwapCleaned ----------->|  .cleaned -> .swap -> segments, old ones .deleted
 *      |<--------- CleanedSwapped -|
 *   checkpoint (cleaner-offset-checkpoint), summary log line, next log
 * </pre>
 *
 * The actor itself only schedules: the cleaning runs on {@code varve.cleaner-dispatcher} (one thread
 * per {@code log.cleaner.threads}), never on a partition's thread, and a partition keeps serving reads
 * and writes throughout. A cleaning that fails marks its partition uncleanable (logged; retried once
 * the partition is hosted again) and the others go on; one whose partition stopped, was deleted or
 * changed under it is dropped. Spawned by the replica manager on the storage dispatcher (it writes the
 * checkpoint file); stopping it aborts the cleanings in flight.
 */
public final class LogCleaner {
    private LogCleaner() {}

    public sealed interface Command extends LocalOnly {}

    /** A hosted partition and whether its topic is compacted (sent again when its config changes). */
    public record Track(TopicPartition tp, ActorRef<PartitionActor.Command> partition, boolean compacted)
            implements Command {}

    /** The partition is no longer hosted here; {@code deleted} when its topic was deleted. */
    public record Untrack(TopicPartition tp, boolean deleted) implements Command {}

    // ---- private messages: timer ticks, replies, task results ----

    /** Time to look for a log to clean. */
    record Tick() implements Command {}

    record Described(long round, PartitionActor.CleanableDescription description) implements Command {}

    record SurveyTimedOut(long round) implements Command {}

    record Started(PartitionActor.CleaningStarted started) implements Command {}

    record StartTimedOut(TopicPartition tp, long cleaningId) implements Command {}

    /** A cleaner thread finished; exactly one of {@code result} and {@code failure} is set. */
    record Cleaned(TopicPartition tp, long cleaningId, CleaningResult result, Throwable failure) implements Command {}

    record Swapped(PartitionActor.CleanedSwapped swapped) implements Command {}

    /**
     * The cleaner of the data directory {@code dataDir}. Spawn it on the storage dispatcher: {@code
     * DispatcherSelector.fromConfig("varve.storage-dispatcher")}.
     */
    public static Behavior<Command> create(Path dataDir, CleanerSettings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            var executor =
                    context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("varve.cleaner-dispatcher"));
            return new CleanerBehavior(context, timers, dataDir, settings, executor);
        }));
    }
}
