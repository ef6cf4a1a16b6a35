package io.varve.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/varve start [--config FILE]}: starts one node. The configuration is, in order of
 * precedence, {@code -D} system properties, the {@code --config} file (default {@code
 * application.conf} in the working directory) with its {@code ${?VARVE_…}} environment overrides,
 * and every module's {@code reference.conf}. Stops cleanly on SIGTERM/Ctrl-C through
 * CoordinatedShutdown (the JVM shutdown hook). A node the cluster downed (the split-brain resolver:
 * it was unreachable for too long, or on the minority side) stops serving at once and, with {@code
 * varve.cluster.rejoin-after-down} (on by default), starts again in this JVM and rejoins through its
 * seeds, as a fenced Kafka broker registers again. Exit status: 0 after a clean stop, 1 when the node
 * refused to start (its message says why), 2 when a newer incarnation of the cluster superseded its
 * own, or when the cluster downed it and rejoining is off (start it again to rejoin), 3 when its data
 * directory failed (an I/O error such as a full disk: free space, then start it again).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String configFile = "application.conf";
        for (int i = 0; i < args.length; i++) {
            if ("--config".equals(args[i]) && i + 1 < args.length) {
                configFile = args[++i];
            } else {
                System.err.println("usage: varve start [--config FILE]");
                System.exit(64);
            }
        }
        Config config = load(new File(configFile));
        boolean rejoin = config.getBoolean("varve.cluster.rejoin-after-down");
        while (true) {
            VarveNode node = VarveNode.start(config);
            node.ready().exceptionally(error -> {
                node.stop();
                return null;
            });
            node.system().getWhenTerminated().toCompletableFuture().join();
            if (node.stoppedByLogDirFailure()) {
                // a failed data directory (full disk, I/O error): as Kafka halts such a broker
                System.exit(3);
            }
            if (node.wasSuperseded()) {
                // a newer incarnation of the cluster on the same journal: stop, as the log says
                System.exit(2);
            }
            if (node.wasDowned()) {
                if (!rejoin) {
                    System.exit(2);
                }
                // the old node has stopped serving and closed its logs; a new one (a new Pekko
                // incarnation) joins through the seeds, without the cost of a new JVM
                LoggerFactory.getLogger(Main.class)
                        .warn("the cluster downed this node: starting it again in this JVM to rejoin"
                                + " (varve.cluster.rejoin-after-down = on)");
                continue;
            }
            if (node.ready().toCompletableFuture().isCompletedExceptionally()) {
                // a refused start (second cluster, node id in use) is a failure for scripts and supervisors
                System.exit(1);
            }
            return;
        }
    }

    static Config load(File file) {
        Config fromFile = file.exists() ? ConfigFactory.parseFile(file) : ConfigFactory.empty();
        return ConfigFactory.systemProperties()
                .withFallback(fromFile)
                // unresolved: reference.conf values defined from other settings (the cleaner dispatcher's
                // threads from varve.cleaner.threads) must see this file's and -D's values of those settings
                .withFallback(ConfigFactory.defaultReferenceUnresolved())
                .resolve();
    }
}
