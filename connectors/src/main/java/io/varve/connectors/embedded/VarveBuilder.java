package io.varve.connectors.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Describes an embedded node before it starts. Not thread-safe; {@link #start()} may be called
 * more than once, each call starting another node (give each its own data directory and port).
 *
 * <p>Configuration precedence: the builder's own settings (data directory, host, port, node id),
 * then {@link #config(String, Object)} values, then {@link #config(Config)}, then the embedded
 * defaults ({@code io/varve/connectors/embedded/embedded.conf}), then every module's {@code
 * reference.conf}. The application's own {@code application.conf} is not read: it configures the
 * application's ActorSystem, not the node's.
 */
public final class VarveBuilder {
    static final String BASE_CONFIG = "io/varve/connectors/embedded/embedded.conf";

    private Path dataDir;
    private String host = "127.0.0.1";
    private int port;
    private int nodeId = 1;
    private Duration startTimeout = Duration.ofSeconds(60);
    /** On unless the JVM runs with {@code -Dvarve.embedded.preload-classes=false} (see {@link #preloadClasses(boolean)}). */
    private boolean preloadClasses =
            !"false".equalsIgnoreCase(System.getProperty("varve.embedded.preload-classes", "true"));

    private final Map<String, Object> overrides = new LinkedHashMap<>();
    private Config config = ConfigFactory.empty();
    private final List<NewTopic> topics = new ArrayList<>();

    VarveBuilder() {}

    /** Keep the data in {@code dir} (created if missing), so a later node can start on it again. */
    public VarveBuilder dataDir(Path dir) {
        this.dataDir = Objects.requireNonNull(dir, "dir");
        return this;
    }

    /** The default: a new temporary directory, deleted by {@link EmbeddedVarve#close()}. */
    public VarveBuilder temporaryDataDir() {
        this.dataDir = null;
        return this;
    }

    /** The Kafka listener's address (default 127.0.0.1). */
    public VarveBuilder host(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
    }

    /** The Kafka listener's port; 0 (the default) takes any free port. */
    public VarveBuilder port(int port) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not in 0..65535");
        }
        this.port = port;
        return this;
    }

    /** The broker id clients see (default 1). */
    public VarveBuilder nodeId(int nodeId) {
        this.nodeId = nodeId;
        return this;
    }

    /** A topic created before {@link #start()} returns; one that already exists is kept as it is. */
    public VarveBuilder topic(NewTopic topic) {
        topics.add(Objects.requireNonNull(topic, "topic"));
        return this;
    }

    /** A topic with {@code partitions} partitions and the broker's default configs. */
    public VarveBuilder topic(String name, int partitions) {
        return topic(new NewTopic(name, Optional.of(partitions), Optional.empty()));
    }

    /** One configuration value, e.g. {@code config("varve.log.segment-bytes", "16m")} (docs/configuration.md). */
    public VarveBuilder config(String path, Object value) {
        overrides.put(Objects.requireNonNull(path, "path"), value);
        return this;
    }

    /** More configuration, below the single values; may hold any key of docs/configuration.md. */
    public VarveBuilder config(Config more) {
        this.config = Objects.requireNonNull(more, "config").withFallback(this.config);
        return this;
    }

    /** How long {@link #start()} waits for the node and its topics (default 60 s). */
    public VarveBuilder startTimeout(Duration timeout) {
        this.startTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /**
     * Whether {@link #start()} loads the classes a node's start needs on a second thread while the
     * node starts, the first time a node starts in this class loader (default on; the system property
     * {@code varve.embedded.preload-classes=false} turns it off for every node: docs/embedded.md).
     */
    public VarveBuilder preloadClasses(boolean preload) {
        this.preloadClasses = preload;
        return this;
    }

    /**
     * Starts the node and creates the topics; blocks until clients can use both. Throws {@link
     * VarveStartException} when it cannot (the node is stopped again, a temporary directory removed).
     */
    public EmbeddedVarve start() {
        return EmbeddedVarve.start(this);
    }

    Path dataDir() {
        return dataDir;
    }

    boolean preloadClasses() {
        return preloadClasses;
    }

    Duration startTimeout() {
        return startTimeout;
    }

    List<NewTopic> topics() {
        return List.copyOf(topics);
    }

    /**
     * The node's whole configuration for {@code dataDir}, resolved. A temporary directory's node keeps
     * its journals in memory ({@code varve.journal.in-memory}, below every user setting): they would
     * be deleted with the directory anyway, and no database starts.
     */
    Config resolve(Path dir, boolean temporary) {
        Map<String, Object> own = new LinkedHashMap<>(overrides);
        own.put("varve.node-id", nodeId);
        own.put("varve.data-dir", dir.toString());
        own.put("varve.transport.host", host);
        own.put("varve.transport.port", port);
        return ConfigFactory.parseMap(own)
                .withFallback(config)
                .withFallback(ConfigFactory.parseMap(Map.of("varve.journal.in-memory", temporary)))
                .withFallback(ConfigFactory.parseResources(VarveBuilder.class.getClassLoader(), BASE_CONFIG))
                .withFallback(ConfigFactory.defaultReferenceUnresolved(VarveBuilder.class.getClassLoader()))
                .resolve();
    }
}
