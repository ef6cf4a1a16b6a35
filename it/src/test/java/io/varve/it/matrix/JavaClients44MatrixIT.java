package io.varve.it.matrix;

import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * kafka-clients 4.4.0 (the version the project builds with), through {@link JavaClientProbe} on a
 * thread of the test JVM (3.9 runs the same probe in a child JVM).
 */
class JavaClients44MatrixIT extends ClientMatrix {
    /** The probe in a child JVM with {@code classpath}, or on a thread of this JVM when it is null. */
    static ClientProbe javaProbe(String version, String classpath) {
        return new ScriptProbe() {
            @Override
            protected List<String> command() {
                return ClientPrograms.javaProbe(classpath);
            }

            @Override
            protected ProbeRun start(List<String> args) throws IOException {
                return classpath == null ? InProcessRun.start(args) : super.start(args);
            }

            @Override
            public String name() {
                return "kafka-clients";
            }

            @Override
            public String expectedVersion() {
                return "client kafka-clients " + version + " from kafka-clients-" + version + ".jar";
            }

            @Override
            public List<String> codecs() {
                return ClientPrograms.EVERY_CODEC;
            }

            @Override
            public boolean idempotence() {
                return true;
            }

            @Override
            public Set<Report> reports() {
                return EnumSet.allOf(Report.class);
            }

            @Override
            public List<String> expectedUnknownTopic() {
                return List.of("error UnknownTopicOrPartitionException");
            }

            @Override
            public List<String> expectedOutOfRange(String firstRecord) {
                return List.of("error OffsetOutOfRangeException {out-of-range-0=100}");
            }
        };
    }

    private static final ClientProbe CLIENTS_44 = javaProbe("4.4.0", null);

    @Override
    ClientProbe probe() {
        return CLIENTS_44;
    }
}
