package io.varve.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One in-process node and an Admin client shared by a test class: started before its first test in
 * a fresh data directory, closed (and the directory removed) after its last. Register it as {@code
 * @RegisterExtension static final VarveNodeExtension node = new VarveNodeExtension(overrides);}.
 */
public final class VarveNodeExtension implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, Object> overrides;
    private Path dataDir;
    private VarveCluster cluster;
    private Admin admin;

    public VarveNodeExtension() {
        this(Map.of());
    }

    /** {@code overrides}: configuration paths and values for the node, e.g. group settings. */
    public VarveNodeExtension(Map<String, Object> overrides) {
        this.overrides = Map.copyOf(overrides);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dataDir = Files.createTempDirectory("varve-it-");
        cluster = VarveCluster.start(dataDir, overrides);
        admin = Clients.admin(cluster);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            admin.close();
            cluster.close();
        } finally {
            try (Stream<Path> files = Files.walk(dataDir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    public VarveCluster cluster() {
        return cluster;
    }

    public Admin admin() {
        return admin;
    }
}
