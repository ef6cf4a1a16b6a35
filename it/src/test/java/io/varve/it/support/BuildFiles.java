package io.varve.it.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The files the build writes for child-JVM tests: the node's runtime classpath
 * ({@code it/target/node.classpath}), Kafka's own 4.3.1 tools classpath
 * ({@code kafka-tools/target/kafka-tools.classpath}) and kafka-clients 3.9 with its compression
 * libraries ({@code it/target/clients-3.9/}).
 */
public final class BuildFiles {
    private BuildFiles() {}

    /** The repository root: the nearest directory above the working directory holding {@code it/pom.xml}. */
    public static Path repositoryRoot() {
        Path here = Path.of("").toAbsolutePath();
        for (Path dir = here; dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("it/pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("it/pom.xml not found above " + here);
    }

    public static Path itTarget() {
        return repositoryRoot().resolve("it/target");
    }

    /** The node's runtime classpath, for {@code io.varve.actors.Main} in a child JVM. */
    public static String nodeClasspath() {
        return read(itTarget().resolve("node.classpath"), "the it module's build writes it");
    }

    /** Apache Kafka's own tools (4.3.1) with their own kafka-clients. */
    public static String kafkaToolsClasspath() {
        return read(
                repositoryRoot().resolve("kafka-tools/target/kafka-tools.classpath"),
                "the kafka-tools module writes it; build with -am");
    }

    /** This module's test classes followed by kafka-clients 3.9 and its libraries (no 4.x client). */
    public static String legacyClientClasspath() {
        Path dir = itTarget().resolve("clients-3.9");
        File[] jars = dir.toFile().listFiles((d, name) -> name.endsWith(".jar"));
        if (jars == null || jars.length == 0) {
            throw new AssertionError(dir + " holds no jars: the it module's build copies kafka-clients 3.9 there");
        }
        // the probe polls with storage's test Conditions (JDK only): its test-jar, not the 4.x client
        String conditions = io.varve.storage.testing.Conditions.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .getPath();
        return itTarget().resolve("test-classes")
                + File.pathSeparator
                + conditions
                + File.pathSeparator
                + Arrays.stream(jars).map(File::getPath).sorted().collect(Collectors.joining(File.pathSeparator));
    }

    /** The logback jars of this test JVM, so a child node logs like the in-process ones. */
    public static String logbackClasspath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> Path.of(entry).getFileName().toString().startsWith("logback-"))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static String read(Path file, String hint) {
        if (!Files.exists(file)) {
            throw new AssertionError(file + " is missing: " + hint);
        }
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
