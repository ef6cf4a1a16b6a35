package io.varve.connectors.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads, on one background daemon thread, the classes an embedded node's start loads and then those
 * a test's first producer loads (the list in {@code
 * io/varve/connectors/embedded/preload-classes.txt}, in the order they are loaded), while the
 * starting thread resolves the configuration and the node's actors start, and then while the caller
 * goes on to its first produce. A node's start is mostly class loading spread over one thread at a
 * time (the caller, then the guardian's setup, then the cluster's actors: docs/benchmarks.md); this
 * thread reads and defines the classes ahead of them on a second core, so they find them loaded. It
 * only loads: no class is linked or initialized here (initializing on a second thread could deadlock
 * on two classes' static initializers), so it changes nothing of what runs or in which order. The
 * one exception is {@link #INITIALIZED}: Kafka's protocol schemas ({@code ApiKeys}, whose static
 * initializer builds every request's and response's schema, about a fifth of a second of CPU, and
 * depends on no Varve or Pekko class), initialized first, because the guardian otherwise initializes
 * them when it creates the Kafka listener's handlers, the last step before the node can register.
 *
 * <p>A name missing from the class path (a list older than the jars) is skipped. Started by {@link
 * EmbeddedVarve#start}, one at a time in a JVM and <em>once per class loader</em>: only the first
 * node a class loader starts pays for loading its classes, and what that start loaded stays loaded,
 * so a later node's start (a build's later test classes) would only look up classes it already has,
 * on a thread of its own competing with the start for the CPU (measured 15-20 ms slower warm starts
 * when every start ran it: docs/benchmarks.md). Ends at the end of the list (about a second and a
 * half of one core) or when {@link #stop()} is called (the node failed to start).
 */
final class ClassPreloader {
    static final String LIST = "io/varve/connectors/embedded/preload-classes.txt";
    /** Initialized (not only loaded) before the list: see the class comment. */
    static final String INITIALIZED = "org.apache.kafka.common.protocol.ApiKeys";

    private static final AtomicBoolean RUNNING = new AtomicBoolean();
    /** The class loaders a preloader has started for (weakly: a discarded loader is forgotten). */
    private static final Map<ClassLoader, Boolean> STARTED = Collections.synchronizedMap(new WeakHashMap<>());

    private final AtomicBoolean stopped = new AtomicBoolean();

    private ClassPreloader() {}

    /**
     * Starts the background loading, unless it has started for this class loader before or another
     * node's start is loading now (then a no-op).
     */
    static ClassPreloader start(ClassLoader loader) {
        if (!RUNNING.compareAndSet(false, true)) {
            return none();
        }
        if (STARTED.putIfAbsent(loader, Boolean.TRUE) != null) {
            RUNNING.set(false);
            return none();
        }
        ClassPreloader preloader = new ClassPreloader();
        Thread thread = new Thread(() -> preloader.run(loader), "varve-embedded-preload");
        thread.setDaemon(true);
        thread.start();
        return preloader;
    }

    /** Whether a preloader's thread is loading now. */
    static boolean running() {
        return RUNNING.get();
    }

    /** A preloader that loads nothing ({@link VarveBuilder#preloadClasses(boolean)} off). */
    static ClassPreloader none() {
        ClassPreloader preloader = new ClassPreloader();
        preloader.stopped.set(true);
        return preloader;
    }

    /** The node gave up starting: what is not loaded yet will be loaded where it is used, if ever. */
    void stop() {
        stopped.set(true);
    }

    private void run(ClassLoader loader) {
        try {
            Class.forName(INITIALIZED, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            // the guardian initializes it where it is used, and fails there if it must
        }
        try (InputStream in = loader.getResourceAsStream(LIST)) {
            if (in == null) {
                return;
            }
            BufferedReader names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String name;
            while (!stopped.get() && (name = names.readLine()) != null) {
                load(name.strip(), loader);
            }
        } catch (IOException e) {
            // the list is an optimisation: without it the node loads its classes as it goes
        } finally {
            RUNNING.set(false);
        }
    }

    private static void load(String name, ClassLoader loader) {
        if (name.isEmpty() || name.startsWith("#")) {
            return;
        }
        try {
            Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            // not on this class path (another version of a library): loaded later if ever needed
        }
    }
}
