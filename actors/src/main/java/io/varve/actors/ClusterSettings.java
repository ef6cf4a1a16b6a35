package io.varve.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How this node finds and watches the other nodes, from {@code varve.cluster} (documented in this
 * module's {@code reference.conf}); turned into Pekko's settings by {@link PekkoConfig}.
 *
 * @param host the address other nodes reach this node's cluster port at (Artery's canonical host)
 * @param port the cluster port (0 = any free port)
 * @param seedNodes cluster addresses {@code host:port} to join, in order; empty: start a cluster
 * @param failureDetectorPause silence beyond the heartbeat after which a node is unreachable
 * @param downAfter stable unreachability after which the split-brain resolver downs a node
 * @param removalMargin wait after a downed node's removal before its singleton and shards start
 *     elsewhere
 * @param leaseRenewInterval how often the oldest node renews the founding lease
 * @param leaseExpireAfter age after which the founding lease may be taken by a new cluster
 * @param deadProcessCheck how often a node with a shared journal checks which members' processes
 *     hold their lock in the journal database ({@link DeadProcessCheck}); zero: never
 */
public record ClusterSettings(
        String host,
        int port,
        List<String> seedNodes,
        Duration failureDetectorPause,
        Duration downAfter,
        Duration removalMargin,
        Duration leaseRenewInterval,
        Duration leaseExpireAfter,
        Duration deadProcessCheck) {

    /** The ActorSystem's name: part of every cluster address ({@code pekko://varve@host:port}). */
    public static final String SYSTEM_NAME = "varve";

    public ClusterSettings {
        seedNodes = List.copyOf(seedNodes);
        if (removalMargin.isZero() || removalMargin.isNegative()) {
            // Pekko reads a zero margin as "use the split-brain resolver's stable-after"
            throw new IllegalArgumentException("varve.cluster.removal-margin must be above zero, was " + removalMargin);
        }
        for (String seed : seedNodes) {
            int colon = seed.lastIndexOf(':');
            if (colon <= 0
                    || colon == seed.length() - 1
                    || !seed.substring(colon + 1).chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException(
                        "varve.cluster.seed-nodes entry '" + seed + "' is not host:port (the cluster port)");
            }
        }
    }

    public static ClusterSettings fromConfig(Config config) {
        Config c = config.getConfig("varve.cluster");
        return new ClusterSettings(
                c.getString("host"),
                c.getInt("port"),
                seedNodes(c),
                c.getDuration("failure-detector-pause"),
                c.getDuration("down-after"),
                c.getDuration("removal-margin"),
                c.getDuration("lease.renew-interval"),
                c.getDuration("lease.expire-after"),
                c.getDuration("dead-process-check"));
    }

    /** A comma-separated string (as the environment variable gives it) or a HOCON list. */
    private static List<String> seedNodes(Config c) {
        List<String> raw = c.getValue("seed-nodes").valueType() == ConfigValueType.LIST
                ? c.getStringList("seed-nodes")
                : List.of(c.getString("seed-nodes").split(","));
        List<String> seeds = new ArrayList<>();
        for (String seed : raw) {
            String trimmed = seed.trim();
            if (!trimmed.isEmpty()) {
                seeds.add(trimmed.startsWith("pekko://") ? trimmed.substring(trimmed.indexOf('@') + 1) : trimmed);
            }
        }
        return seeds;
    }

    /** A seed's full Pekko address, {@code pekko://varve@host:port}. */
    public static String address(String hostAndPort) {
        return "pekko://" + SYSTEM_NAME + "@" + hostAndPort;
    }
}
