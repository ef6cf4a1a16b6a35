package io.varve.connectors.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Removes a temporary data directory once its node has stopped; failures are logged, not thrown. */
final class TemporaryDirectory {
    private static final Logger log = LoggerFactory.getLogger(TemporaryDirectory.class);

    private TemporaryDirectory() {}

    static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            log.warn("could not delete the temporary data directory {}", dir, e);
        }
    }
}
