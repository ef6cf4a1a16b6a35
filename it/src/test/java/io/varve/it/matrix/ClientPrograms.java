package io.varve.it.matrix;

import io.varve.it.support.BuildFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the matrix finds its clients: the probe programs under {@code it/clients} and the programs
 * {@code it/clients/install.sh} installs (the build runs it before the integration tests). A missing
 * program fails the test that needs it: the matrix never skips a client.
 */
final class ClientPrograms {
    static final List<String> EVERY_CODEC = List.of("none", "gzip", "snappy", "lz4", "zstd");

    /** Debian's interpreter, where {@code python3-confluent-kafka} and {@code python3-kafka} install. */
    static final String DEBIAN_PYTHON = "/usr/bin/python3";

    private ClientPrograms() {}

    /** The absolute path of a probe program under {@code it/clients}. */
    static String script(String relative) {
        Path file = BuildFiles.repositoryRoot().resolve("it/clients").resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new AssertionError(file + " is missing");
        }
        return file.toString();
    }

    /** {@code java -cp CLASSPATH io.varve.it.matrix.JavaClientProbe} with this JVM's {@code java}. */
    static List<String> javaProbe(String classpath) {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived client: the quick compiler alone and a small collector start it
                // in about two thirds of the CPU time
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-cp",
                classpath,
                JavaClientProbe.class.getName());
    }
}
