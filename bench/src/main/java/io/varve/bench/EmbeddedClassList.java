package io.varve.bench;

import io.varve.connectors.embedded.EmbeddedVarve;
import io.varve.connectors.embedded.Varve;
import java.lang.management.ManagementFactory;

/**
 * For bench/embedded-class-list.sh: starts an embedded node with one topic (class preloading off)
 * and prints the JVM's uptime in ms just before the start ({@code start-uptime-ms=N}) and once it
 * returned ({@code ready-uptime-ms=N}), so the script keeps the classes the JVM's
 * {@code -Xlog:class+load} shows loaded in between: the list {@code ClassPreloader} reads.
 */
public final class EmbeddedClassList {
    private EmbeddedClassList() {}

    public static void main(String[] args) {
        long before = ManagementFactory.getRuntimeMXBean().getUptime();
        System.out.println("start-uptime-ms=" + before);
        try (EmbeddedVarve varve =
                Varve.builder().topic("class-list", 1).preloadClasses(false).start()) {
            System.out.println(
                    "ready-uptime-ms=" + ManagementFactory.getRuntimeMXBean().getUptime());
            System.out.println("node at " + varve.bootstrapServers());
        }
        System.exit(0);
    }
}
