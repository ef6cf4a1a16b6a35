package io.varve.connectors.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.varve.storage.testing.Conditions;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class ClassPreloaderTest {

    /** Serves {@code list} as the preload list and records every class asked of it. */
    private static final class RecordingLoader extends ClassLoader {
        final Set<String> asked = ConcurrentHashMap.newKeySet();
        private final String list;

        RecordingLoader(String list) {
            super(ClassPreloaderTest.class.getClassLoader());
            this.list = list;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            asked.add(name);
            return super.loadClass(name, resolve);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return ClassPreloader.LIST.equals(name)
                    ? new ByteArrayInputStream(list.getBytes(StandardCharsets.UTF_8))
                    : super.getResourceAsStream(name);
        }
    }

    @Test
    void initializesKafkasProtocolThenLoadsEveryListedClassSkippingCommentsAndMissingNamesOncePerClassLoader()
            throws Exception {
        RecordingLoader loader = new RecordingLoader(String.join(
                "\n",
                "# a comment",
                "java.util.concurrent.ConcurrentSkipListMap",
                "io.varve.connectors.embedded.NoSuchClassAnywhere",
                "",
                "java.util.concurrent.LinkedTransferQueue"));
        // one preloader per JVM at a time: another test's node start may still be ending its own
        Conditions.require(Duration.ofSeconds(30), "no other preloader running", () -> !ClassPreloader.running());
        preloadUntilAsked(loader, "java.util.concurrent.LinkedTransferQueue");
        assertEquals(
                Set.of(
                        "java.util.concurrent.ConcurrentSkipListMap",
                        "io.varve.connectors.embedded.NoSuchClassAnywhere",
                        "java.util.concurrent.LinkedTransferQueue",
                        ClassPreloader.INITIALIZED),
                loader.asked);
        // a later node's start with the same class loader finds its classes loaded: no second pass
        Conditions.require(Duration.ofSeconds(30), "the first preloader ended", () -> !ClassPreloader.running());
        loader.asked.clear();
        ClassPreloader again = ClassPreloader.start(loader);
        assertFalse(ClassPreloader.running(), "a second preloader for the same class loader started");
        again.stop();
        assertEquals(Set.of(), loader.asked);
        // another class loader (another application in this JVM) gets its own
        preloadUntilAsked(
                new RecordingLoader("java.util.concurrent.LinkedTransferQueue"),
                "java.util.concurrent.LinkedTransferQueue");
    }

    /** Starts a preloader for {@code loader}, waits until it asked the loader for {@code name}, stops it. */
    private static void preloadUntilAsked(RecordingLoader loader, String name) throws InterruptedException {
        ClassPreloader preloader = ClassPreloader.start(loader);
        try {
            Conditions.require(
                    Duration.ofSeconds(30), name + " asked of the loader", () -> loader.asked.contains(name));
        } finally {
            preloader.stop();
        }
    }

    /** The shipped list is current: (nearly) every name in it is a class on this class path. */
    @Test
    void theShippedListNamesClassesOfThisClassPath() throws IOException {
        ClassLoader loader = ClassPreloaderTest.class.getClassLoader();
        List<String> names;
        try (InputStream in = loader.getResourceAsStream(ClassPreloader.LIST)) {
            assertTrue(in != null, ClassPreloader.LIST + " is on the class path");
            names = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .toList();
        }
        long missing = names.stream()
                .filter(name -> loader.getResource(name.replace('.', '/') + ".class") == null)
                .count();
        assertTrue(names.size() > 1_000, "the list names " + names.size() + " classes");
        assertTrue(
                missing * 20 < names.size(),
                missing + " of the list's " + names.size()
                        + " classes are not on the class path: regenerate it with bench/embedded-class-list.sh");
    }
}
