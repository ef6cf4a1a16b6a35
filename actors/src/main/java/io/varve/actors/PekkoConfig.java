package io.varve.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.varve.actors.journal.InMemoryReadJournal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Pekko settings a Varve node derives from its own keys ({@code varve.cluster.*}, {@code
 * varve.journal.*}), laid over the loaded configuration before the actor system starts: Artery's
 * canonical address, the failure detector and split-brain resolver, Pekko Persistence on
 * pekko-persistence-jdbc with the journal's database. Deriving them in one place keeps a node's
 * configuration to Varve's documented keys; a {@code pekko.*} value set by hand for one of these
 * paths is replaced, with a warning that names the path. Seed nodes are not set here: the node joins
 * them itself ({@code ClusterJoiner}).
 */
final class PekkoConfig {
    private static final Logger log = LoggerFactory.getLogger(PekkoConfig.class);
    /** Pekko's membership ticks that {@link #membershipTicks} shortens, under {@code pekko.cluster}. */
    private static final List<String> MEMBERSHIP_TICKS =
            List.of("gossip-interval", "leader-actions-interval", "unreachable-nodes-reaper-interval");

    private static final Duration PEKKO_TICK = Duration.ofSeconds(1);
    private static final Duration VARVE_TICK = Duration.ofMillis(250);

    private PekkoConfig() {}

    /** {@code config} with the derived Pekko settings on top. */
    static Config apply(Config config) {
        NodeSettings node = NodeSettings.fromConfig(config);
        Map<String, Object> shutdown = new HashMap<>();
        // the controlled shutdown (ControlledShutdown) runs in this phase, bounded by its own timeout
        shutdown.put(
                "pekko.coordinated-shutdown.phases.before-service-unbind.timeout",
                node.controlledShutdownTimeout().plusSeconds(5).toMillis() + "ms");
        Config derived = derived(config);
        for (String replaced : replacedByHand(config, derived)) {
            log.warn(
                    "{}: Varve derives this Pekko setting from its own keys (varve.cluster.*, varve.journal.*;"
                            + " docs/configuration.md), so the value set by hand is not used",
                    replaced);
        }
        return ConfigFactory.parseMap(shutdown)
                .withFallback(derived)
                .withFallback(ConfigFactory.parseMap(membershipTicks(config)))
                .withFallback(config);
    }

    /**
     * The {@code pekko.*} values of {@code config} that {@code derived} replaces with another value
     * and that someone set (a system property, an application.conf, a {@code --config} file; not a
     * library's reference.conf), each as "path = set (replaced by derived)".
     */
    static List<String> replacedByHand(Config config, Config derived) {
        List<String> replaced = new ArrayList<>();
        for (Map.Entry<String, ConfigValue> entry : derived.entrySet()) {
            String path = entry.getKey();
            if (!config.hasPath(path)) {
                continue;
            }
            ConfigValue set = config.getValue(path);
            String resource = set.origin().resource();
            boolean byDefault = resource != null && resource.endsWith("reference.conf");
            if (!byDefault && !sameValue(config, derived, path)) {
                replaced.add(path + " = " + set.unwrapped() + " (replaced by "
                        + entry.getValue().unwrapped() + ")");
            }
        }
        replaced.sort(null);
        return replaced;
    }

    /** Whether {@code path} says the same in both: system properties are strings, and 5s is 5000ms. */
    private static boolean sameValue(Config a, Config b, String path) {
        if (String.valueOf(a.getValue(path).unwrapped())
                .equals(String.valueOf(b.getValue(path).unwrapped()))) {
            return true;
        }
        try {
            return a.getDuration(path).equals(b.getDuration(path));
        } catch (ConfigException notDurations) {
            return false;
        }
    }

    /**
     * Pekko's membership ticks, every 1 s by default, are steps of a failover: marking a silent node
     * unreachable (the reaper), removing a downed one (the leader's actions) and spreading each change
     * (gossip) each wait up to a tick, about 2-3 s of a controller's move. Varve ticks every 250 ms,
     * a few more small messages a second among a handful of nodes. A tick the configuration sets to
     * anything but Pekko's 1 s (the embedded node's 100 ms leader actions) is kept.
     */
    static Map<String, Object> membershipTicks(Config config) {
        Map<String, Object> ticks = new HashMap<>();
        for (String tick : MEMBERSHIP_TICKS) {
            String path = "pekko.cluster." + tick;
            if (!config.hasPath(path) || config.getDuration(path).equals(PEKKO_TICK)) {
                ticks.put(path, VARVE_TICK.toMillis() + "ms");
            }
        }
        return ticks;
    }

    /** The Pekko settings {@code config}'s {@code varve.cluster.*} and {@code varve.journal.*} keys give. */
    static Config derived(Config config) {
        return derived(
                ClusterSettings.fromConfig(config),
                JournalSettings.fromConfig(config),
                NodeSettings.fromConfig(config).dataDir());
    }

    static Config derived(ClusterSettings cluster, JournalSettings journal, Path dataDir) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("pekko.actor.provider", "cluster");
        settings.put("pekko.remote.artery.canonical.hostname", cluster.host());
        settings.put("pekko.remote.artery.canonical.port", cluster.port());
        settings.put("pekko.cluster.seed-nodes", List.of());
        // binding the cluster port took over Pekko's 3 s on a machine with a load average of 100, and
        // the node exited at start
        settings.put("pekko.remote.artery.bind.bind-timeout", "20s");
        settings.put(
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause",
                cluster.failureDetectorPause().toMillis() + "ms");
        settings.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        settings.put("pekko.cluster.split-brain-resolver.active-strategy", "keep-majority");
        settings.put(
                "pekko.cluster.split-brain-resolver.stable-after",
                cluster.downAfter().toMillis() + "ms");
        // without it the resolver makes the singleton and the shards wait stable-after a second time
        settings.put(
                "pekko.cluster.down-removal-margin", cluster.removalMargin().toMillis() + "ms");
        // Pekko would down the whole cluster when reachability keeps changing (flapping heartbeats on a
        // loaded machine): data never depends on downing (epochs fence stale leaders), availability does
        settings.put("pekko.cluster.split-brain-resolver.down-all-when-unstable", "off");
        // find the controller singleton as soon as it starts: Pekko's default retries every second, and
        // a proxy's first try comes as its node is Up, before the singleton runs, so each retry interval
        // is a wait of every start and every controller move (10 ms: one Identify per retry, and only
        // while the singleton is unknown)
        settings.put("pekko.cluster.singleton-proxy.singleton-identification-interval", "10ms");
        if (journal.inMemory()) {
            inMemoryJournal(settings);
        } else {
            jdbcJournal(settings, journal, dataDir);
        }
        return ConfigFactory.parseMap(settings);
    }

    /** pekko-persistence-jdbc on H2 in the data directory or on the shared PostgreSQL database. */
    private static void jdbcJournal(Map<String, Object> settings, JournalSettings journal, Path dataDir) {
        settings.put("pekko.persistence.journal.plugin", "jdbc-journal");
        settings.put("pekko.persistence.snapshot-store.plugin", "jdbc-snapshot-store");
        settings.put("jdbc-journal.use-shared-db", "slick");
        settings.put("jdbc-snapshot-store.use-shared-db", "slick");
        settings.put("jdbc-read-journal.use-shared-db", "slick");
        String slick = "pekko-persistence-jdbc.shared-databases.slick.";
        settings.put(slick + "profile", journal.slickProfile());
        settings.put(slick + "db.url", journal.effectiveUrl(dataDir));
        settings.put(slick + "db.user", journal.effectiveUser());
        settings.put(slick + "db.password", journal.password());
        settings.put(slick + "db.driver", journal.driver());
        settings.put(slick + "db.numThreads", journal.maxConnections());
        settings.put(slick + "db.maxConnections", journal.maxConnections());
        settings.put(slick + "db.minConnections", 1);
    }

    /**
     * Varve's in-memory plugins ({@code io.varve.actors.journal}) for the journal, the snapshots and
     * the queries of the group and transaction coordinators: no JDBC class is ever loaded.
     */
    private static void inMemoryJournal(Map<String, Object> settings) {
        settings.put("pekko.persistence.journal.plugin", "varve-memory-journal");
        settings.put("pekko.persistence.snapshot-store.plugin", "varve-memory-snapshot-store");
        settings.put("varve.group.read-journal-plugin", InMemoryReadJournal.PLUGIN_ID);
        settings.put("varve.txn.read-journal-plugin", InMemoryReadJournal.PLUGIN_ID);
    }
}
