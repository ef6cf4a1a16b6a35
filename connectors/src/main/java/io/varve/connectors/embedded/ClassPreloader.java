package io.varve.connectors.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads, on one background daemon thread, the classes an embedded node's start loads (the list in
 * {@code io/varve/connectors/embedded/preload-classes.txt}, in the order a start loads them), while
 * the starting thread resolves the configuration and the node's actors start. A node's start is
 * mostly class loading spread over one thread at a time (the caller, then the guardian's setup, then
 * the cluster's actors: docs/benchmarks.md); this thread reads and defines the classes ahead of
 * them on a second core, so they find them loaded. It only loads: no class is linked or initialized
 * here (initializing on a second thread could deadlock on two classes' static initializers), so
 * it changes nothing of what runs or in which order. The one exception is {@link #INITIALIZED}:
 * Kafka's protocol schemas ({@code ApiKeys}, whose static initializer builds every request's and
 * response's schema, about a third of a second of CPU, and depends on no Varve or Pekko class),
 * initialized first, because the guardian otherwise initializes them when it creates the Kafka
 * listener's handlers, the last step before the node can register.
 *
 * <p>A name missing from the class path (a list older than the jars) is skipped. Started by {@link
 * EmbeddedVarve#start}, once per JVM at most at a time; ends at the end of the list or when {@link
 * #stop()} is called (the node is ready, or failed to start).
 */
final class ClassPreloader {
    static final String LIST = "io/varve/connectors/embedded/preload-classes.txt";
    /** Initialized (not only loaded) before the list: see the class comment. */
    static final String INITIALIZED = "org.apache.kafka.common.protocol.ApiKeys";

    private static final AtomicBoolean RUNNING = new AtomicBoolean();

    private final AtomicBoolean stopped = new AtomicBoolean();

    private ClassPreloader() {}

    /** Starts the background loading, unless another node's start is loading already (then a no-op). */
    static ClassPreloader start(ClassLoader loader) {
        ClassPreloader preloader = new ClassPreloader();
        if (!RUNNING.compareAndSet(false, true)) {
            preloader.stopped.set(true);
            return preloader;
        }
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

    /** The node is up (or gave up): what is not loaded yet will be loaded where it is used. */
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
