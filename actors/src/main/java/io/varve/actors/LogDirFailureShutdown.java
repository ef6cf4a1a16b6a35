package io.varve.actors;

import io.varve.storage.log.LogDirectory;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node does when its data directory fails (an I/O error in any log or checkpoint: a full disk,
 * a failing device): it stops, as a Kafka broker whose log directories have all failed halts, so that
 * no partition stays led by a replica that can only answer {@code KAFKA_STORAGE_ERROR}. The stop is a
 * CoordinatedShutdown with {@link #REASON}: its controlled shutdown first moves every leadership to
 * another in-sync replica (network only, seconds), then the node leaves the cluster; the logs are not
 * closed cleanly and no checkpoint or clean-shutdown marker is written ({@link LogDirectory}), so the
 * next start recovers every log and truncates a partial write. {@link Main} exits with status 3.
 *
 * <p>The listener runs on the thread that hit the error and only starts the shutdown (asynchronous).
 */
final class LogDirFailureShutdown {
    private static final Logger log = LoggerFactory.getLogger(LogDirFailureShutdown.class);

    /** The CoordinatedShutdown reason of a failed data directory. */
    static final CoordinatedShutdown.Reason REASON = new LogDirFailed();

    private static final class LogDirFailed implements CoordinatedShutdown.Reason {
        @Override
        public String toString() {
            return "LogDirFailed";
        }
    }

    private LogDirFailureShutdown() {}

    /** From now on a failure of {@code logDirectory} stops {@code system}'s node. */
    static void watch(LogDirectory logDirectory, ActorSystem<?> system, int nodeId) {
        logDirectory.onFailure((dir, operation, cause) -> {
            log.error(
                    "Shutting down node {} because its data directory {} failed ({}: {})",
                    nodeId,
                    dir,
                    operation,
                    cause.toString());
            CoordinatedShutdown.get(system).runAll(REASON);
        });
    }

    /** Whether {@code system} stopped because its data directory failed. */
    static boolean stoppedBy(ActorSystem<?> system) {
        return CoordinatedShutdown.get(system)
                .getShutdownReason()
                .map(reason -> reason == REASON)
                .orElse(false);
    }
}
