package io.varve.actors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;

/**
 * {@code bin/varve start [--config FILE]}: starts one node. The configuration is, in order of
 * precedence, {@code -D} system properties, the {@code --config} file (default {@code
 * application.conf} in the working directory) with its {@code ${?VARVE_…}} environment overrides,
 * and every module's {@code reference.conf}. Stops cleanly on SIGTERM/Ctrl-C through
 * CoordinatedShutdown (the JVM shutdown hook).
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
        VarveNode node = VarveNode.start(load(new File(configFile)));
        node.ready().exceptionally(error -> {
            node.stop();
            return null;
        });
        node.system().getWhenTerminated().toCompletableFuture().join();
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
